"""Appeals and the statements of reasons whose appeal codes let authors file them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi.domain import Appeal, AppealOutcome, AppealStatus
from beffroi.store.schema import appeals, statements
from beffroi.store.sql import aware, insert_ignore
from beffroi.store.writer import Tx


def author_with_code(conn: Connection, decision_id: str, code_hash: str) -> str | None:
    query = sa.select(statements.c.author).where(
        statements.c.decision_id == decision_id, statements.c.code_hash == code_hash
    )
    found = conn.execute(query).scalar()
    return None if found is None else str(found)


def authors_of(conn: Connection, decision_id: str) -> list[str]:
    query = sa.select(statements.c.author).where(statements.c.decision_id == decision_id).order_by(statements.c.author)
    return [str(author) for author in conn.execute(query).scalars()]


def open_for(conn: Connection, decision_id: str) -> str | None:
    found = conn.execute(sa.select(appeals.c.id).where(appeals.c.open_decision == decision_id)).scalar()
    return None if found is None else str(found)


def decided_for(conn: Connection, decision_id: str, author: str) -> str | None:
    """The author's appeal against this decision that was decided already, if any."""
    query = sa.select(appeals.c.id).where(
        appeals.c.decision_id == decision_id, appeals.c.author == author, appeals.c.status == "decided"
    )
    found = conn.execute(query.limit(1)).scalar()
    return None if found is None else str(found)


def insert_open(tx: Tx, appeal: Appeal) -> bool:
    """Insert the appeal unless one is open for its decision already (the unique index decides races)."""
    row = {
        "id": appeal.id,
        "decision_id": appeal.decision_id,
        "open_decision": appeal.decision_id,
        "case_id": appeal.case_id,
        "space_id": appeal.space,
        "author": appeal.author,
        "explanation": appeal.explanation,
        "filed_by": appeal.filed_by,
        "status": appeal.status.value,
        "filed_at": appeal.filed_at,
    }
    insert_ignore(tx, appeals, [row], conflict=["open_decision"])
    return open_for(tx.conn, appeal.decision_id) == appeal.id


def decide(
    tx: Tx, appeal_id: str, outcome: AppealOutcome, statement: str, reviewer: str, new_decision: str | None
) -> bool:
    updated = tx.conn.execute(
        appeals.update()
        .where(appeals.c.id == appeal_id, appeals.c.status == AppealStatus.OPEN.value)
        .values(
            status=AppealStatus.DECIDED.value,
            open_decision=None,
            outcome=outcome.value,
            statement=statement,
            reviewer_id=reviewer,
            outcome_decision_id=new_decision,
            decided_at=tx.now,
        )
    )
    return updated.rowcount == 1


def get(conn: Connection, appeal_id: str) -> Appeal | None:
    row = conn.execute(sa.select(appeals).where(appeals.c.id == appeal_id)).first()
    return None if row is None else _appeal(row)


def listed(
    conn: Connection, spaces: frozenset[str] | None, *, space: str | None, status: AppealStatus | None, limit: int
) -> list[Appeal]:
    """Oldest first: appeals are answered in the order they came."""
    query = sa.select(appeals).order_by(appeals.c.id).limit(limit)
    if spaces is not None:
        query = query.where(appeals.c.space_id.in_(sorted(spaces)))
    if space is not None:
        query = query.where(appeals.c.space_id == space)
    if status is not None:
        query = query.where(appeals.c.status == status.value)
    return [_appeal(row) for row in conn.execute(query)]


def _appeal(row: sa.Row[Any]) -> Appeal:
    return Appeal(
        id=row.id,
        decision_id=row.decision_id,
        case_id=row.case_id,
        space=row.space_id,
        author=row.author,
        explanation=row.explanation,
        status=AppealStatus(row.status),
        filed_at=aware(row.filed_at),
        filed_by=row.filed_by,
        outcome=AppealOutcome(row.outcome) if row.outcome else None,
        statement=row.statement,
        reviewer=row.reviewer_id,
        outcome_decision_id=row.outcome_decision_id,
        decided_at=aware(row.decided_at) if row.decided_at else None,
    )
