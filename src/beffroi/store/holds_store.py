"""Holds and their approvals: placed with the verdict that held the item, decided by the space's admins."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi.domain import NOT_HELD, Approval, ApprovalChoice, Publication, PublicationState
from beffroi.store.schema import approvals, holds, members
from beffroi.store.sql import aware, chunks, insert_ignore
from beffroi.store.writer import Tx


@dataclass(frozen=True)
class HoldRecord:
    id: int  # orders holds as they were placed; the cursor of GET /v1/holds
    item_id: str
    space: str
    publication: Publication


@dataclass(frozen=True)
class NewHold:
    item_id: str
    space: str
    approvals_required: int


def place(tx: Tx, new: Sequence[NewHold]) -> None:
    """One hold per item: an item judged twice (a lease that expired mid-batch) keeps its first hold."""
    rows = [
        {
            "item_id": h.item_id,
            "space_id": h.space,
            "approvals_required": h.approvals_required,
            "state": PublicationState.HELD.value,
            "created_at": tx.now,
        }
        for h in new
    ]
    insert_ignore(tx, holds, rows, ["item_id"])


def publications_of(conn: Connection, item_ids: Sequence[str]) -> dict[str, Publication]:
    """Each item's publication; items never held are NOT_HELD."""
    found = {r.item_id: r.publication for r in _records(conn, item_ids)}
    return {item_id: found.get(item_id, NOT_HELD) for item_id in item_ids}


def publication_of(conn: Connection, item_id: str) -> Publication:
    return publications_of(conn, [item_id])[item_id]


def list_holds(
    conn: Connection,
    spaces: frozenset[str] | None,
    *,
    space: str | None,
    state: PublicationState,
    after: int,
    limit: int,
) -> list[HoldRecord]:
    """Oldest first, in the spaces given (None: all of them)."""
    query = sa.select(holds).where(holds.c.state == state.value, holds.c.id > after).order_by(holds.c.id).limit(limit)
    if spaces is not None:
        query = query.where(holds.c.space_id.in_(sorted(spaces)))
    if space is not None:
        query = query.where(holds.c.space_id == space)
    rows = conn.execute(query).all()
    given = _approvals(conn, [r.id for r in rows])
    return [_record(r, given.get(r.id, ())) for r in rows]


def hold_for_decision(tx: Tx, item_id: str) -> HoldRecord | None:
    """The item's hold, locked until the transaction ends: two admins approving at once on PostgreSQL are
    counted one after the other, so the item is published exactly once."""
    row = tx.conn.execute(sa.select(holds).where(holds.c.item_id == item_id).with_for_update()).first()
    if row is None:
        return None
    return _record(row, _approvals(tx.conn, [row.id]).get(row.id, ()))


def add_approval(tx: Tx, hold_id: int, member_id: str, decision: ApprovalChoice, note: str | None) -> None:
    tx.conn.execute(
        approvals.insert().values(
            hold_id=hold_id, member_id=member_id, decision=decision.value, note=note, created_at=tx.now
        )
    )


def decide(tx: Tx, hold_id: int, state: PublicationState) -> None:
    decided_at = None if state is PublicationState.HELD else tx.now  # HELD again: an appeal put it back
    tx.conn.execute(holds.update().where(holds.c.id == hold_id).values(state=state.value, decided_at=decided_at))


def _records(conn: Connection, item_ids: Sequence[str]) -> list[HoldRecord]:
    rows: list[sa.Row[Any]] = []
    for chunk in chunks(list(item_ids)):
        rows.extend(conn.execute(sa.select(holds).where(holds.c.item_id.in_(chunk))))
    given = _approvals(conn, [r.id for r in rows])
    return [_record(r, given.get(r.id, ())) for r in rows]


def _approvals(conn: Connection, hold_ids: list[int]) -> dict[int, tuple[Approval, ...]]:
    found: dict[int, list[Approval]] = defaultdict(list)
    for chunk in chunks(hold_ids):
        query = (
            sa.select(approvals, members.c.name)
            .join(members, members.c.id == approvals.c.member_id)
            .where(approvals.c.hold_id.in_(chunk))
            .order_by(approvals.c.id)
        )
        for r in conn.execute(query):
            found[r.hold_id].append(
                Approval(r.member_id, r.name, ApprovalChoice(r.decision), r.note, aware(r.created_at))
            )
    return {hold_id: tuple(given) for hold_id, given in found.items()}


def _record(row: sa.Row[Any], given: tuple[Approval, ...]) -> HoldRecord:
    publication = Publication(
        PublicationState(row.state),
        row.approvals_required,
        given,
        aware(row.created_at),
        aware(row.decided_at) if row.decided_at else None,
    )
    return HoldRecord(row.id, row.item_id, row.space_id, publication)
