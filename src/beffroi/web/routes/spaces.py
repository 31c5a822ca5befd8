"""Spaces: where items live and whose policy applies; each space's own settings."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from beffroi.access import Permission, Principal
from beffroi.errors import NotFound
from beffroi.ingest.models import SLUG
from beffroi.space_settings import SpaceSettings
from beffroi.store import members_store, spaces_store
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


@router.get("/{space}/settings", response_model=SpaceSettings)
def get_settings(space: str, caller: Caller, runtime: RuntimeDep) -> SpaceSettings:
    _require_visible(caller, space)
    with runtime.db.read() as conn:
        return spaces_store.get_settings(conn, space)


@router.put("/{space}/settings", response_model=SpaceSettings)
def put_settings(space: str, body: SpaceSettings, caller: Caller, runtime: RuntimeDep) -> SpaceSettings:
    """Replaces the whole document: a section left out goes back to its defaults (which require nothing)."""
    _require_visible(caller, space)
    caller.require(Permission.SPACE_CONFIGURE, space)
    return runtime.db.writer.run(lambda tx: spaces_store.set_settings(tx, space, body, f"member:{caller.member_id}"))


def _require_visible(caller: Principal, space: str) -> None:
    # A space the caller cannot read items in is reported missing, as its items are.
    if not caller.can(Permission.ITEM_READ, space):
        raise NotFound(f"no space {space!r}", hint="list the spaces you can see: GET /v1/spaces")
