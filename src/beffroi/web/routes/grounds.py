"""The policy grounds decisions rest on: public, so a notice form can offer them to anyone."""

from __future__ import annotations

from fastapi import APIRouter

from beffroi.web.auth import RuntimeDep
from beffroi.web.review_schemas import GroundOut

router = APIRouter(prefix="/v1/grounds", tags=["decisions"])


@router.get("", response_model=list[GroundOut])
def list_grounds(runtime: RuntimeDep) -> list[GroundOut]:
    return [GroundOut.of(ground) for ground in runtime.decision_rules.grounds]
