"""The verdict feed: every verdict in the order it was recorded, for the sinks that apply them.

The cursor is the verdict row's id. Verdicts are inserted under the audit chain's lock (items_store.
insert_verdicts), so ids become visible in increasing order and a poller that remembers the last id it saw
never skips one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi.domain import Source, Verdict
from beffroi.store.items_store import verdict_of
from beffroi.store.schema import items, verdicts


@dataclass(frozen=True)
class FeedEntry:
    id: int
    item_id: str
    space: str
    source: Source
    verdict: Verdict
    created_at: datetime


def entries(
    conn: Connection, spaces: frozenset[str] | None, *, space: str | None, after: int, limit: int
) -> list[FeedEntry]:
    """Verdicts recorded after the cursor, oldest first, for items in the spaces given (None: all)."""
    query = (
        sa.select(verdicts, items.c.space_id, items.c.source_platform, items.c.source_remote_id, items.c.source_url)
        .join(items, items.c.id == verdicts.c.item_id)
        .where(verdicts.c.id > after)
        .order_by(verdicts.c.id)
        .limit(limit)
    )
    if spaces is not None:
        query = query.where(items.c.space_id.in_(sorted(spaces)))
    if space is not None:
        query = query.where(items.c.space_id == space)
    return [
        FeedEntry(
            row.id,
            row.item_id,
            row.space_id,
            Source(row.source_platform, row.source_remote_id, row.source_url),
            verdict_of(row),
            row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC),
        )
        for row in conn.execute(query)
    ]
