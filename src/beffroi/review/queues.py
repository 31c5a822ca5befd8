"""Queues: the open cases of a space and queue, in the order reviewers should take them.

The effective priority (higher first) is computed when read, because a case's age changes every second:

    effective = priority + 5 · log10(1 + reach) + 20 · waited / sla

- `priority`: the case's severity, 0-100 (the highest any rule or notice asked for);
- `reach`: the largest audience among its items; 5 points per power of ten (100 readers +10, 1M +30);
- `waited / sla`: the share of its SLA spent (now - opened_at over due_at - opened_at): +0 when it opens,
  +20 when it falls due, still growing after. Measured against the queue's own SLA, so a 4-hour queue ages
  six times faster than a 24-hour one.

Overdue cases (past due_at) come before every other; ties go to the case opened first. The ranking runs in
Python over the open cases that match (a town or a community has hundreds, not millions, at once).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi.domain import CaseStatus
from beffroi.review import locks
from beffroi.store.schema import cases
from beffroi.store.sql import aware
from beffroi.store.writer import Tx

REACH_WEIGHT = 5.0
AGE_WEIGHT = 20.0


def effective_priority(priority: int, reach: int, opened_at: datetime, due_at: datetime, now: datetime) -> float:
    sla = max((due_at - opened_at).total_seconds(), 1.0)
    waited = max((now - opened_at).total_seconds(), 0.0)
    return priority + REACH_WEIGHT * math.log10(1 + max(reach, 0)) + AGE_WEIGHT * waited / sla


@dataclass(frozen=True)
class Ranked:
    row: sa.Row[Any]  # the case's row
    effective: float
    overdue: bool


def rank(row: sa.Row[Any], now: datetime) -> Ranked:
    opened, due = aware(row.opened_at), aware(row.due_at)
    return Ranked(row, effective_priority(row.priority, row.reach, opened, due, now), due <= now)


def ranked(rows: list[sa.Row[Any]], now: datetime) -> list[Ranked]:
    """Overdue first, then by effective priority, then oldest first."""
    found = [rank(row, now) for row in rows]
    return sorted(found, key=lambda r: (not r.overdue, -r.effective, aware(r.row.opened_at), r.row.id))


@dataclass(frozen=True)
class CaseFilter:
    spaces: frozenset[str] | None  # where the caller may look; None: every space
    space: str | None = None
    queue: str | None = None
    status: CaseStatus = CaseStatus.OPEN
    held_by: str | None = None  # only the cases whose live lock this member holds
    unclaimed: bool = False  # only the cases nobody holds
    overdue: bool | None = None

    def where(self, now: datetime) -> list[sa.ColumnElement[bool]]:
        found = [cases.c.status == self.status.value]
        if self.spaces is not None:
            found.append(cases.c.space_id.in_(sorted(self.spaces)))
        if self.space is not None:
            found.append(cases.c.space_id == self.space)
        if self.queue is not None:
            found.append(cases.c.queue == self.queue)
        if self.held_by is not None:
            found += [cases.c.assigned_to == self.held_by, cases.c.locked_until >= now]
        if self.unclaimed:
            found.append(locks.claimable(now))
        if self.overdue is not None:
            found.append(cases.c.due_at <= now if self.overdue else cases.c.due_at > now)
        return found


def list_cases(conn: Connection, wanted: CaseFilter, now: datetime, limit: int, offset: int) -> list[Ranked]:
    """Open cases in queue order; decided ones newest decision first."""
    query = sa.select(cases).where(*wanted.where(now))
    if wanted.status is not CaseStatus.OPEN:
        rows = conn.execute(query.order_by(cases.c.closed_at.desc(), cases.c.id).limit(limit).offset(offset)).all()
        return [rank(row, now) for row in rows]
    return ranked(list(conn.execute(query)), now)[offset : offset + limit]


def claim_next(tx: Tx, member_id: str, wanted: CaseFilter, lease: timedelta) -> str | None:
    """Claim the first unclaimed case in queue order. A case another reviewer took meanwhile fails its
    conditional claim and the next one is tried, so reviewers asking together get different cases."""
    query = sa.select(cases).where(*dataclasses.replace(wanted, unclaimed=True).where(tx.now))
    for candidate in ranked(list(tx.conn.execute(query)), tx.now):
        if locks.try_claim(tx, candidate.row.id, member_id, lease) is not None:
            return str(candidate.row.id)
    return None


@dataclass(frozen=True)
class QueueStats:
    space: str
    queue: str
    open: int
    unclaimed: int
    overdue: int
    oldest_opened_at: datetime


def stats(conn: Connection, spaces: frozenset[str] | None, now: datetime) -> list[QueueStats]:
    """Per space and queue: open cases, those nobody holds, those overdue, and when the oldest opened."""

    def counted(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    query = (
        sa.select(
            cases.c.space_id,
            cases.c.queue,
            sa.func.count().label("open"),
            counted(locks.claimable(now)).label("unclaimed"),
            counted(cases.c.due_at <= now).label("overdue"),
            sa.func.min(cases.c.opened_at).label("oldest"),
        )
        .where(*CaseFilter(spaces).where(now))
        .group_by(cases.c.space_id, cases.c.queue)
        .order_by(cases.c.space_id, cases.c.queue)
    )
    return [
        QueueStats(r.space_id, r.queue, r.open, int(r.unclaimed), int(r.overdue), aware(r.oldest))
        for r in conn.execute(query)
    ]
