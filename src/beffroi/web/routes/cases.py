"""Cases and queues: list in queue order, read with the evidence, claim and release, take the next one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.engine import Connection, Row

from beffroi.access import Permission, Principal
from beffroi.domain import CaseStatus
from beffroi.errors import Forbidden, NotFound
from beffroi.review import case_reads, locks, queues
from beffroi.review.queues import CaseFilter, Ranked
from beffroi.runtime import Runtime
from beffroi.store import notices_store
from beffroi.store.notices_store import NoticeFilter
from beffroi.web.auth import Caller, RuntimeDep
from beffroi.web.case_schemas import CaseDetailOut, CaseItemOut, CaseOut, QueueOut
from beffroi.web.notice_schemas import NoticeOut

router = APIRouter(prefix="/v1", tags=["review"])

Assigned = Annotated[
    Literal["me", "none"] | None,
    Query(description="`me`: the cases whose lock you hold; `none`: the cases nobody holds."),
]


@router.get("/cases", response_model=list[CaseOut])
def list_cases(
    caller: Caller,
    runtime: RuntimeDep,
    space: str | None = None,
    queue: str | None = None,
    status: CaseStatus = CaseStatus.OPEN,
    assigned: Assigned = None,
    overdue: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[CaseOut]:
    wanted = CaseFilter(
        caller.spaces_with(Permission.CASE_READ),
        space,
        queue,
        status,
        held_by=caller.member_id if assigned == "me" else None,
        unclaimed=assigned == "none",
        overdue=overdue,
    )
    now = datetime.now(UTC)
    with runtime.db.read() as conn:
        return _summaries(conn, queues.list_cases(conn, wanted, now, limit, offset), now)


@router.get("/cases/{case_id}", response_model=CaseDetailOut)
def get_case(case_id: str, caller: Caller, runtime: RuntimeDep) -> CaseDetailOut:
    return _detail(runtime, caller, case_id)


@router.post("/cases/{case_id}/claim", response_model=CaseDetailOut)
def claim_case(case_id: str, caller: Caller, runtime: RuntimeDep) -> CaseDetailOut:
    """Lock the case to you for BEFFROI_REVIEW_LOCK_MINUTES (claiming again renews); 409 names who holds it."""
    _require_review(runtime, caller, case_id)
    lease = runtime.settings.review_lock
    runtime.db.writer.run(lambda tx: locks.claim(tx, case_id, caller.member_id, lease))
    return _detail(runtime, caller, case_id)


@router.post("/cases/{case_id}/release", response_model=CaseDetailOut)
def release_case(case_id: str, caller: Caller, runtime: RuntimeDep) -> CaseDetailOut:
    _require_review(runtime, caller, case_id)
    runtime.db.writer.run(lambda tx: locks.release(tx, case_id, caller.member_id))
    return _detail(runtime, caller, case_id)


@router.post(
    "/queues/next",
    response_model=CaseDetailOut,
    responses={204: {"description": "No unclaimed case is waiting there."}},
)
def next_case(caller: Caller, runtime: RuntimeDep, space: str | None = None, queue: str | None = None) -> Response:
    """Claim the unclaimed case that comes first in queue order, atomically: reviewers asking together get
    different cases."""
    reviewable = caller.spaces_with(Permission.CASE_REVIEW)
    if reviewable == frozenset() or (space is not None and not caller.can(Permission.CASE_REVIEW, space)):
        where = f" in space {space!r}" if space else ""
        raise Forbidden(f"{caller.name} may not review cases{where}", hint="a reviewer, moderator or admin role may")
    wanted = CaseFilter(reviewable, space, queue)
    lease = runtime.settings.review_lock
    claimed = runtime.db.writer.run(lambda tx: queues.claim_next(tx, caller.member_id, wanted, lease))
    if claimed is None:
        return Response(status_code=204)
    return Response(_detail(runtime, caller, claimed).model_dump_json(), media_type="application/json")


@router.get("/queues", response_model=list[QueueOut])
def list_queues(caller: Caller, runtime: RuntimeDep) -> list[QueueOut]:
    """Per space and queue: open cases, unclaimed, overdue, and how long the oldest has waited."""
    now = datetime.now(UTC)
    with runtime.db.read() as conn:
        found = queues.stats(conn, caller.spaces_with(Permission.CASE_READ), now)
    return [QueueOut.of(stats, now) for stats in found]


def _summaries(conn: Connection, found: list[Ranked], now: datetime) -> list[CaseOut]:
    ids = [ranked.row.id for ranked in found]
    held, sizes = case_reads.live_locks(conn, ids, now), case_reads.sizes(conn, ids)
    return [CaseOut.of(ranked, held.get(ranked.row.id), sizes[ranked.row.id], now) for ranked in found]


def _detail(runtime: Runtime, caller: Principal, case_id: str) -> CaseDetailOut:
    now = datetime.now(UTC)
    with runtime.db.read() as conn:
        row = _visible(conn, caller, case_id)
        [summary] = _summaries(conn, [queues.rank(row, now)], now)
        joined = case_reads.items_of(conn, case_id)
        reports = notices_store.find(conn, NoticeFilter(None, case_id=case_id), limit=1000)
    return CaseDetailOut(
        **summary.model_dump(),
        items=[CaseItemOut.of(j) for j in joined],
        notices=[NoticeOut.of(n) for n in reports],
    )


def _require_review(runtime: Runtime, caller: Principal, case_id: str) -> None:
    with runtime.db.read() as conn:
        row = _visible(conn, caller, case_id)
    caller.require(Permission.CASE_REVIEW, row.space_id)


def _visible(conn: Connection, caller: Principal, case_id: str) -> Row[Any]:
    row = case_reads.get_row(conn, case_id)
    # A case outside the caller's spaces is reported missing, so ids reveal nothing.
    if row is None or not caller.can(Permission.CASE_READ, row.space_id):
        raise NotFound(f"no case {case_id!r}")
    return row
