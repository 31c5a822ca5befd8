"""Appeals: filed by the author (with the appeal code, no account) or a platform on their behalf; decided by a
reviewer who took no part in the contested decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from beffroi.access import Permission
from beffroi.domain import AppealOutcome, AppealStatus, DecisionAction
from beffroi.review import appeals
from beffroi.review.appeal_rulings import Ruling
from beffroi.store import appeals_store
from beffroi.web.auth import Caller, OptionalCaller, RuntimeDep
from beffroi.web.review_schemas import AppealFiledOut, AppealOut

router = APIRouter(prefix="/v1/appeals", tags=["appeals"])


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision_id: str = Field(max_length=40)
    appeal_code: str | None = Field(
        default=None, max_length=60, description="From the statement of reasons; required without an API token."
    )
    author: str | None = Field(
        default=None,
        max_length=250,
        description="platform:author id, for a platform filing on behalf of one of several authors.",
    )
    explanation: str = Field(min_length=1, max_length=10_000, description="Why the author contests the decision.")


class RulingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: AppealOutcome
    action: DecisionAction | None = Field(default=None, description="For `modified`: a lighter action.")
    ground: str | None = Field(default=None, max_length=100, description="For `modified`: another ground.")
    statement: str = Field(min_length=1, max_length=10_000, description="The reasons, sent to the author.")


@router.post("", status_code=201, response_model=AppealFiledOut)
def file_appeal(body: AppealIn, caller: OptionalCaller, runtime: RuntimeDep) -> AppealFiledOut:
    filing = appeals.Filing(body.decision_id, body.explanation, body.appeal_code, body.author)
    rules = runtime.decision_rules
    appeal = runtime.db.writer.run(lambda tx: appeals.file(tx, filing, caller, rules))
    return AppealFiledOut(
        id=appeal.id, decision_id=appeal.decision_id, status=appeal.status.value, filed_at=appeal.filed_at
    )


@router.get("", response_model=list[AppealOut])
def list_appeals(
    caller: Caller,
    runtime: RuntimeDep,
    space: str | None = None,
    status: AppealStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AppealOut]:
    spaces = caller.spaces_with(Permission.DECISION_MAKE)
    with runtime.db.read() as conn:
        found = appeals_store.listed(conn, spaces, space=space, status=status, limit=limit)
    return [AppealOut.of(appeal) for appeal in found]


@router.get("/{appeal_id}", response_model=AppealOut)
def get_appeal(appeal_id: str, caller: Caller, runtime: RuntimeDep) -> AppealOut:
    with runtime.db.read() as conn:
        return AppealOut.of(appeals.visible(conn, appeal_id, caller))


@router.post("/{appeal_id}/decision", response_model=AppealOut)
def decide_appeal(appeal_id: str, body: RulingIn, caller: Caller, runtime: RuntimeDep) -> AppealOut:
    ruling = Ruling(body.outcome, body.statement, body.action, body.ground)
    rules = runtime.decision_rules
    return AppealOut.of(runtime.db.writer.run(lambda tx: appeals.decide(tx, appeal_id, ruling, caller, rules)))
