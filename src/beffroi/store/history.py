"""Stored items with the signals they got and their latest verdict, read newest first in chunks: a backtest's
input. Nothing is analysed again: the policy under test sees exactly what the policy in force saw."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi.domain import Item, ItemStatus, Signal, Verdict
from beffroi.store import items_store
from beffroi.store.schema import items

CHUNK = 500  # items held in memory at once, whatever the limit


@dataclass(frozen=True)
class Window:
    spaces: Sequence[str]
    since: datetime | None = None  # received at or after
    until: datetime | None = None  # received before
    limit: int = 10_000


def decided_items(conn: Connection, window: Window) -> Iterator[tuple[Item, list[Signal], Verdict]]:
    remaining, before = window.limit, None
    while remaining > 0 and window.spaces:
        ids = [row.id for row in conn.execute(_page(window, before, min(CHUNK, remaining)))]
        if not ids:
            return
        loaded = items_store.get_items(conn, ids)
        found = items_store.signals_for_items(conn, ids)
        verdicts = items_store.latest_verdicts(conn, ids)
        for item_id in ids:
            if item_id in verdicts and item_id in loaded:  # both, unless the item was deleted meanwhile
                yield loaded[item_id], found.get(item_id, []), verdicts[item_id]
        remaining, before = remaining - len(ids), ids[-1]


def _page(window: Window, before: str | None, size: int) -> sa.Select[tuple[str]]:
    query = (
        sa.select(items.c.id)
        .where(items.c.space_id.in_(list(window.spaces)), items.c.status == ItemStatus.ANALYSED.value)
        .order_by(items.c.id.desc())  # ids grow with time: newest first, and a stable place to resume
        .limit(size)
    )
    if before is not None:
        query = query.where(items.c.id < before)
    if window.since is not None:
        query = query.where(items.c.received_at >= window.since)
    if window.until is not None:
        query = query.where(items.c.received_at < window.until)
    return query
