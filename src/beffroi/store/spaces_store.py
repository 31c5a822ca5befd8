"""Spaces' settings: read for the worker (per batch) and the API, written with an audit event."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi import audit
from beffroi.errors import NotFound
from beffroi.space_settings import SpaceSettings, from_stored
from beffroi.store import audit_log
from beffroi.store.schema import spaces
from beffroi.store.sql import chunks
from beffroi.store.writer import Tx


def settings_of(conn: Connection, space_ids: Collection[str]) -> dict[str, SpaceSettings]:
    """The settings of the spaces named; a worker reads its batch's spaces this way, so a change applies to
    the next batch of every worker, in every process, without a restart."""
    found: dict[str, SpaceSettings] = {}
    for chunk in chunks(sorted(space_ids)):
        for row in conn.execute(_SETTINGS_OF, {"ids": chunk}):
            found[row.id] = from_stored(row.settings)
    return found


# Run by the worker on every batch: built once (see items_store).
_SETTINGS_OF = sa.select(spaces.c.id, spaces.c.settings).where(spaces.c.id.in_(sa.bindparam("ids", expanding=True)))


def get_settings(conn: Connection, space_id: str) -> SpaceSettings:
    found = settings_of(conn, [space_id])
    if space_id not in found:
        raise NotFound(f"no space {space_id!r}", hint="list the spaces you can see: GET /v1/spaces")
    return found[space_id]


def set_settings(tx: Tx, space_id: str, settings: SpaceSettings, actor: str) -> SpaceSettings:
    document: dict[str, Any] = settings.model_dump(mode="json")
    updated = tx.conn.execute(spaces.update().where(spaces.c.id == space_id).values(settings=document))
    if updated.rowcount == 0:
        raise NotFound(f"no space {space_id!r}", hint=f"create it first: beffroi space add {space_id}")
    audit_log.append(tx, [audit.SpaceSettingsChanged(actor, space_id, document)])
    return settings
