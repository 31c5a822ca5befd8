"""Decisions as rows: written once, then only their status moves (pending -> effective -> superseded)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi.domain import CaseStatus, Decision, DecisionAction, DecisionStatus, Ground
from beffroi.store.schema import case_items, cases, decision_items, decisions
from beffroi.store.sql import aware
from beffroi.store.writer import Tx


@dataclass(frozen=True)
class CaseRef:
    """What deciding needs to know of a case."""

    id: str
    space: str
    status: CaseStatus


def case_ref(conn: Connection, case_id: str) -> CaseRef | None:
    query = sa.select(cases.c.space_id, cases.c.status).where(cases.c.id == case_id)
    row = conn.execute(query).first()
    return None if row is None else CaseRef(case_id, row.space_id, CaseStatus(row.status))


def case_item_ids(conn: Connection, case_id: str) -> list[str]:
    query = sa.select(case_items.c.item_id).where(case_items.c.case_id == case_id).order_by(case_items.c.added_at)
    return [row.item_id for row in conn.execute(query)]


def insert(tx: Tx, decision: Decision) -> None:
    tx.conn.execute(
        decisions.insert().values(
            id=decision.id,
            case_id=decision.case_id,
            space_id=decision.space,
            action=decision.action.value,
            ground_key=decision.ground.key if decision.ground else None,
            ground=asdict(decision.ground) if decision.ground else None,
            statement=decision.statement,
            status=decision.status.value,
            reviewer_id=decision.reviewer,
            second_review=list(decision.second_review),
            supersedes=decision.supersedes,
            appeal_id=decision.appeal_id,
            created_at=decision.created_at,
        )
    )
    tx.conn.execute(decision_items.insert(), [{"decision_id": decision.id, "item_id": i} for i in decision.item_ids])


def get(conn: Connection, decision_id: str) -> Decision | None:
    row = conn.execute(sa.select(decisions).where(decisions.c.id == decision_id)).first()
    return None if row is None else _decision(row, _items_of(conn, [decision_id]).get(decision_id, ()))


def of_case(conn: Connection, case_id: str) -> list[Decision]:
    """Every decision on the case, oldest first: its history."""
    rows = conn.execute(sa.select(decisions).where(decisions.c.case_id == case_id).order_by(decisions.c.id)).all()
    items = _items_of(conn, [row.id for row in rows])
    return [_decision(row, items.get(row.id, ())) for row in rows]


def in_status(conn: Connection, case_id: str, status: DecisionStatus) -> Decision | None:
    query = sa.select(decisions.c.id).where(decisions.c.case_id == case_id, decisions.c.status == status.value)
    found = conn.execute(query.order_by(decisions.c.id.desc()).limit(1)).scalar()
    return None if found is None else get(conn, found)


def move(tx: Tx, decision_id: str, expected: DecisionStatus, **values: Any) -> bool:
    """Change a decision's status only if it still is `expected`: of two concurrent moves, one wins."""
    updated = tx.conn.execute(
        decisions.update().where(decisions.c.id == decision_id, decisions.c.status == expected.value).values(**values)
    )
    return updated.rowcount == 1


def effective_elsewhere(conn: Connection, item_ids: list[str], case_id: str) -> list[Decision]:
    """Decisions in force on these items from other cases than this one."""
    query = (
        sa.select(decisions)
        .join(decision_items, decision_items.c.decision_id == decisions.c.id)
        .where(
            decision_items.c.item_id.in_(item_ids),
            decisions.c.case_id != case_id,
            decisions.c.status == DecisionStatus.EFFECTIVE.value,
        )
        .distinct()
    )
    rows = list(conn.execute(query))
    items = _items_of(conn, [row.id for row in rows])
    return [_decision(row, items.get(row.id, ())) for row in rows]


def _items_of(conn: Connection, ids: list[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    if ids:
        query = (
            sa.select(decision_items).where(decision_items.c.decision_id.in_(ids)).order_by(decision_items.c.item_id)
        )
        for row in conn.execute(query):
            found.setdefault(row.decision_id, []).append(row.item_id)
    return {key: tuple(value) for key, value in found.items()}


def _decision(row: sa.Row[Any], item_ids: tuple[str, ...]) -> Decision:
    return Decision(
        id=row.id,
        case_id=row.case_id,
        space=row.space_id,
        action=DecisionAction(row.action),
        ground=Ground(**row.ground) if row.ground else None,
        statement=row.statement,
        item_ids=item_ids,
        reviewer=row.reviewer_id,
        status=DecisionStatus(row.status),
        created_at=aware(row.created_at),
        second_review=tuple(row.second_review or ()),
        second_reviewer=row.second_reviewer_id,
        second_reviewed_at=_maybe(row.second_reviewed_at),
        refusal_note=row.refusal_note,
        effective_at=_maybe(row.effective_at),
        supersedes=row.supersedes,
        superseded_by=row.superseded_by,
        appeal_id=row.appeal_id,
    )


def _maybe(value: datetime | None) -> datetime | None:
    return None if value is None else aware(value)
