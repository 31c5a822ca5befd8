"""The audit trail (read and verify) and the analysis jobs that failed (list and retry)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from beffroi.access import Permission
from beffroi.store import audit_log
from beffroi.store.schema import audit_events
from beffroi.web.auth import Caller, RuntimeDep

router = APIRouter(prefix="/v1", tags=["audit"])


class VerifyOut(BaseModel):
    ok: bool
    events: int
    problems: list[str]


class FailedJobOut(BaseModel):
    item_id: str
    attempts: int
    error: str | None


class RetryIn(BaseModel):
    item_ids: list[str] = Field(min_length=1, max_length=1000)


@router.get("/audit")
def list_events(
    caller: Caller,
    runtime: RuntimeDep,
    after: Annotated[int, Query(ge=0, description="Sequence number to continue after.")] = 0,
    subject: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    caller.require(Permission.AUDIT_READ)
    query = sa.select(audit_events).where(audit_events.c.seq > after).order_by(audit_events.c.seq).limit(limit)
    if subject:
        query = query.where(audit_events.c.subject == subject)
    with runtime.db.read() as conn:
        rows = conn.execute(query).all()
    return [dict(r._mapping, data=orjson.loads(r.data)) for r in rows]


@router.get("/audit/verify", response_model=VerifyOut)
def verify(caller: Caller, runtime: RuntimeDep) -> VerifyOut:
    caller.require(Permission.AUDIT_READ)
    with runtime.db.read() as conn:
        result = audit_log.verify(conn)
    return VerifyOut(ok=result.ok, events=result.events, problems=result.problems)


@router.get("/jobs/failed", response_model=list[FailedJobOut], tags=["jobs"])
def failed_jobs(caller: Caller, runtime: RuntimeDep) -> list[FailedJobOut]:
    caller.require(Permission.JOB_MANAGE)
    return [FailedJobOut(item_id=j.item_id, attempts=j.attempts, error=j.error) for j in runtime.queue.failed()]


@router.post("/jobs/retry", tags=["jobs"])
def retry_jobs(body: RetryIn, caller: Caller, runtime: RuntimeDep) -> dict[str, int]:
    caller.require(Permission.JOB_MANAGE)
    return {"requeued": runtime.retry_failed(body.item_ids, f"member:{caller.member_id}")}
