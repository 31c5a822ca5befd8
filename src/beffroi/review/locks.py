"""Case locks: a reviewer claims a case for a lease, so two reviewers never work one case at once.

The claim is one conditional UPDATE, so it is atomic on SQLite and PostgreSQL alike: of two reviewers
claiming together, exactly one row update succeeds. A lease that runs out frees the case for others
(a reviewer who closed the tab must not block it); claiming again renews one's own lease.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from beffroi import audit
from beffroi.domain import CaseStatus
from beffroi.errors import Conflict, NotFound
from beffroi.store import audit_log
from beffroi.store.schema import cases, members
from beffroi.store.sql import aware
from beffroi.store.writer import Tx

NEVER = datetime.min.replace(tzinfo=UTC)


def claim(tx: Tx, case_id: str, member_id: str, lease: timedelta) -> datetime:
    """Lock the case for the member until the returned time, or raise Conflict naming who holds it."""
    until = try_claim(tx, case_id, member_id, lease)
    if until is None:
        raise _why_not(tx, case_id)
    return until


def try_claim(tx: Tx, case_id: str, member_id: str, lease: timedelta) -> datetime | None:
    """The end of the lease when the claim succeeds; None when the case is held by another, decided or missing."""
    until = tx.now + lease
    updated = tx.conn.execute(
        cases.update()
        .where(cases.c.id == case_id, cases.c.status == CaseStatus.OPEN.value, claimable(tx.now, member_id))
        .values(assigned_to=member_id, locked_until=until)
    )
    if updated.rowcount != 1:
        return None
    audit_log.append(tx, [audit.CaseClaimed(f"member:{member_id}", case_id, until.isoformat())])
    return until


def claimable(now: datetime, member_id: str | None = None) -> sa.ColumnElement[bool]:
    """Cases nobody holds: never claimed, released, or whose lease ran out (and one's own, to renew it)."""
    free = sa.or_(cases.c.assigned_to.is_(None), cases.c.locked_until < now)
    return free if member_id is None else sa.or_(free, cases.c.assigned_to == member_id)


def release(tx: Tx, case_id: str, member_id: str) -> None:
    """Give the case back to its queue. Only the holder releases; an expired lease needs no release."""
    updated = tx.conn.execute(
        cases.update()
        .where(cases.c.id == case_id, cases.c.assigned_to == member_id)
        .values(assigned_to=None, locked_until=None)
    )
    if updated.rowcount != 1:
        raise Conflict(f"case {case_id} is not claimed by you", hint="only the reviewer holding a case releases it")
    audit_log.append(tx, [audit.CaseReleased(f"member:{member_id}", case_id)])


def holds_lock(conn: sa.Connection, case_id: str, member_id: str, now: datetime) -> bool:
    row = conn.execute(sa.select(cases.c.assigned_to, cases.c.locked_until).where(cases.c.id == case_id)).first()
    return row is not None and row.assigned_to == member_id and _until(row.locked_until) > now


def _why_not(tx: Tx, case_id: str) -> Exception:
    row = tx.conn.execute(
        sa.select(cases.c.status, cases.c.locked_until, members.c.name)
        .select_from(cases.outerjoin(members, members.c.id == cases.c.assigned_to))
        .where(cases.c.id == case_id)
    ).first()
    if row is None:
        return NotFound(f"no case {case_id!r}")
    if row.status != CaseStatus.OPEN.value:
        return Conflict(f"case {case_id} is {row.status}: there is nothing left to claim")
    until = _until(row.locked_until)
    return Conflict(
        f"case {case_id} is being reviewed by {row.name} until {until:%Y-%m-%d %H:%M} UTC",
        hint="take the next case in the queue, or wait for the lock to be released or to expire",
    )


def _until(locked_until: datetime | None) -> datetime:
    """A missing lock is as good as one long expired."""
    return NEVER if locked_until is None else aware(locked_until)
