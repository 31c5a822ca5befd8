"""Spaces: where items live and whose policy applies."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from beffroi.access import Permission
from beffroi.ingest.models import SLUG
from beffroi.store import members_store
from beffroi.web.auth import Caller, RuntimeDep
from beffroi.web.schemas import SpaceOut

router = APIRouter(prefix="/v1/spaces", tags=["spaces"])


class SpaceIn(BaseModel):
    id: str = Field(pattern=SLUG, examples=["mairie-clermont"], description="Lowercase slug used in URLs and items.")
    name: str = Field(min_length=1, max_length=200)


@router.post("", status_code=201, response_model=SpaceOut)
def create_space(body: SpaceIn, caller: Caller, runtime: RuntimeDep) -> SpaceOut:
    caller.require(Permission.SPACE_MANAGE)
    space = runtime.db.writer.run(
        lambda tx: members_store.create_space(tx, body.id, body.name, f"member:{caller.member_id}")
    )
    return SpaceOut.of(space)


@router.get("", response_model=list[SpaceOut])
def list_spaces(caller: Caller, runtime: RuntimeDep) -> list[SpaceOut]:
    visible = caller.spaces_with(Permission.ITEM_READ)
    with runtime.db.read() as conn:
        found = members_store.list_spaces(conn)
    return [SpaceOut.of(s) for s in found if visible is None or s.id in visible]
