"""Reading media records."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi.store.schema import attachments, items, media


def exists(conn: Connection, sha256: str) -> bool:
    return conn.execute(sa.select(media.c.sha256).where(media.c.sha256 == sha256)).first() is not None


def mime_type(conn: Connection, sha256: str) -> str | None:
    return conn.execute(sa.select(media.c.mime_type).where(media.c.sha256 == sha256)).scalar()


def spaces_using(conn: Connection, sha256: str) -> frozenset[str]:
    query = (
        sa.select(items.c.space_id)
        .distinct()
        .join(attachments, attachments.c.item_id == items.c.id)
        .where(attachments.c.sha256 == sha256)
    )
    return frozenset(conn.execute(query).scalars())
