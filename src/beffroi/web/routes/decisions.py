"""Decisions on cases: propose (by the reviewer holding the lock), confirm or refuse (a second reviewer), read."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from beffroi.access import Permission
from beffroi.domain import DecisionAction
from beffroi.errors import NotFound
from beffroi.review import decisions
from beffroi.store import decisions_store
from beffroi.web.auth import Caller, RuntimeDep
from beffroi.web.review_schemas import DecisionOut

router = APIRouter(prefix="/v1", tags=["decisions"])


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: DecisionAction
    ground: str | None = Field(default=None, max_length=100, description="A ground's key (GET /v1/grounds).")
    statement: str = Field(
        default="",
        max_length=10_000,
        description="The statement of reasons: the facts and why they fall under the ground. Required but for allow.",
    )
    items: list[str] | None = Field(
        default=None, min_length=1, description="Some of the case's items; leave out to decide on all of them."
    )


class RefusalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=5_000, description="Why the second reviewer refuses it.")


@router.post("/cases/{case_id}/decisions", status_code=201, response_model=DecisionOut)
def propose(case_id: str, body: DecisionIn, caller: Caller, runtime: RuntimeDep) -> DecisionOut:
    proposal = decisions.Proposal(body.action, body.ground, body.statement, body.items)
    rules = runtime.decision_rules
    return DecisionOut.of(runtime.db.writer.run(lambda tx: decisions.propose(tx, case_id, proposal, caller, rules)))


@router.get("/cases/{case_id}/decisions", response_model=list[DecisionOut])
def case_history(case_id: str, caller: Caller, runtime: RuntimeDep) -> list[DecisionOut]:
    with runtime.db.read() as conn:
        case = decisions_store.case_ref(conn, case_id)
        if case is None or not caller.can(Permission.ITEM_READ, case.space):
            raise NotFound(f"no case {case_id!r}")
        return [DecisionOut.of(d) for d in decisions_store.of_case(conn, case_id)]


@router.get("/decisions/{decision_id}", response_model=DecisionOut)
def get_decision(decision_id: str, caller: Caller, runtime: RuntimeDep) -> DecisionOut:
    with runtime.db.read() as conn:
        decision = decisions_store.get(conn, decision_id)
    if decision is None or not caller.can(Permission.ITEM_READ, decision.space):
        raise NotFound(f"no decision {decision_id!r}")
    return DecisionOut.of(decision)


@router.post("/decisions/{decision_id}/confirm", response_model=DecisionOut)
def confirm(decision_id: str, caller: Caller, runtime: RuntimeDep) -> DecisionOut:
    rules = runtime.decision_rules
    return DecisionOut.of(runtime.db.writer.run(lambda tx: decisions.confirm(tx, decision_id, caller, rules)))


@router.post("/decisions/{decision_id}/refuse", response_model=DecisionOut)
def refuse(decision_id: str, body: RefusalIn, caller: Caller, runtime: RuntimeDep) -> DecisionOut:
    return DecisionOut.of(runtime.db.writer.run(lambda tx: decisions.refuse(tx, decision_id, caller, body.note)))
