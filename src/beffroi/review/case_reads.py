"""Reading cases for reviewers: who holds them, how big they are, and their items with the evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi.domain import Item, Signal, Verdict
from beffroi.store import items_store
from beffroi.store.schema import case_items, cases, members, notices
from beffroi.store.sql import aware, chunks


@dataclass(frozen=True)
class Lock:
    member_id: str
    name: str
    until: datetime


@dataclass(frozen=True)
class Size:
    items: int = 0
    notices: int = 0


@dataclass(frozen=True)
class CaseItem:
    item: Item
    signals: list[Signal]
    verdict: Verdict | None  # the latest
    reason: str  # the rule or notice that brought it in
    added_at: datetime


def get_row(conn: Connection, case_id: str) -> sa.Row[Any] | None:
    return conn.execute(sa.select(cases).where(cases.c.id == case_id)).first()


def live_locks(conn: Connection, case_ids: Sequence[str], now: datetime) -> dict[str, Lock]:
    """The locks still running, with their holders' names; an expired one holds nothing."""
    found: dict[str, Lock] = {}
    for chunk in chunks(list(case_ids)):
        query = (
            sa.select(cases.c.id, cases.c.assigned_to, cases.c.locked_until, members.c.name)
            .join(members, members.c.id == cases.c.assigned_to)
            .where(cases.c.id.in_(chunk), cases.c.locked_until >= now)
        )
        found.update({r.id: Lock(r.assigned_to, r.name, aware(r.locked_until)) for r in conn.execute(query)})
    return found


def sizes(conn: Connection, case_ids: Sequence[str]) -> dict[str, Size]:
    item_counts: dict[str, int] = {}
    notice_counts: dict[str, int] = {}
    for chunk in chunks(list(case_ids)):
        for table, into in ((case_items, item_counts), (notices, notice_counts)):
            query = sa.select(table.c.case_id, sa.func.count()).where(table.c.case_id.in_(chunk))
            into.update({case_id: int(n) for case_id, n in conn.execute(query.group_by(table.c.case_id))})
    return {case_id: Size(item_counts.get(case_id, 0), notice_counts.get(case_id, 0)) for case_id in case_ids}


def items_of(conn: Connection, case_id: str) -> list[CaseItem]:
    """The case's items in the order they joined, each with its signals and latest verdict."""
    joined = conn.execute(
        sa.select(case_items.c.item_id, case_items.c.reason, case_items.c.added_at)
        .where(case_items.c.case_id == case_id)
        .order_by(case_items.c.added_at, case_items.c.item_id)
    ).all()
    loaded = items_store.get_items(conn, [row.item_id for row in joined])
    return [
        CaseItem(
            loaded[row.item_id],
            items_store.signals_for(conn, row.item_id),
            items_store.verdict_for(conn, row.item_id),
            row.reason,
            aware(row.added_at),
        )
        for row in joined
        if row.item_id in loaded
    ]
