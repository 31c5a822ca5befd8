"""Two reviewers never work one case at once: the lock is atomic, named, renewable and expires."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from beffroi.domain import Grant, Role
from beffroi.errors import Conflict, NotFound
from beffroi.review import locks
from beffroi.runtime import Runtime
from beffroi.store.schema import audit_events, cases
from tests.review.support import open_case

LEASE = timedelta(minutes=30)


def _member(runtime: Runtime, name: str) -> str:
    return runtime.credentials.create_member(name, [Grant(Role.REVIEWER, "default")], None, "test")


def test_a_claimed_case_refuses_a_second_reviewer_by_name(runtime: Runtime) -> None:
    case_id = open_case(runtime)
    anna, bruno = _member(runtime, "anna"), _member(runtime, "bruno")
    runtime.db.writer.run(lambda tx: locks.claim(tx, case_id, anna, LEASE))
    with pytest.raises(Conflict, match="being reviewed by anna until"):
        runtime.db.writer.run(lambda tx: locks.claim(tx, case_id, bruno, LEASE))
    renewed = runtime.db.writer.run(lambda tx: locks.claim(tx, case_id, anna, LEASE))  # her own: renewed
    with runtime.db.read() as conn:
        assert locks.holds_lock(conn, case_id, anna, renewed - timedelta(seconds=1))
        assert not locks.holds_lock(conn, case_id, bruno, renewed - timedelta(seconds=1))


def test_of_reviewers_claiming_together_exactly_one_wins(runtime: Runtime) -> None:
    case_id = open_case(runtime)
    reviewers = [_member(runtime, f"r{i}") for i in range(6)]

    def attempt(member_id: str) -> bool:
        try:
            runtime.db.writer.run(lambda tx: locks.claim(tx, case_id, member_id, LEASE))
        except Conflict:
            return False
        return True

    with ThreadPoolExecutor(6) as pool:
        assert sorted(pool.map(attempt, reviewers)) == [False] * 5 + [True]


def test_an_expired_lock_frees_the_case_and_release_needs_the_holder(runtime: Runtime) -> None:
    case_id = open_case(runtime)
    anna, bruno = _member(runtime, "anna"), _member(runtime, "bruno")
    runtime.db.writer.run(lambda tx: locks.claim(tx, case_id, anna, timedelta(seconds=-1)))  # already expired
    runtime.db.writer.run(lambda tx: locks.claim(tx, case_id, bruno, LEASE))
    with pytest.raises(Conflict, match="not claimed by you"):
        runtime.db.writer.run(lambda tx: locks.release(tx, case_id, anna))
    runtime.db.writer.run(lambda tx: locks.release(tx, case_id, bruno))
    runtime.db.writer.run(lambda tx: locks.claim(tx, case_id, anna, LEASE))
    with runtime.db.read() as conn:
        types = [t for (t,) in conn.execute(sa.select(audit_events.c.type).where(audit_events.c.subject == case_id))]
    assert types == ["case.opened", "case.claimed", "case.claimed", "case.released", "case.claimed"]


def test_a_decided_or_missing_case_cannot_be_claimed(runtime: Runtime) -> None:
    case_id = open_case(runtime)
    anna = _member(runtime, "anna")
    runtime.db.writer.run(
        lambda tx: tx.conn.execute(cases.update().where(cases.c.id == case_id).values(status="decided"))
    )
    with pytest.raises(Conflict, match="is decided"):
        runtime.db.writer.run(lambda tx: locks.claim(tx, case_id, anna, LEASE))
    with pytest.raises(NotFound):
        runtime.db.writer.run(lambda tx: locks.claim(tx, "case_missing", anna, LEASE))
