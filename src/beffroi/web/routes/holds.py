"""Holds before publication: the items waiting for approval, and approving or rejecting one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from beffroi.access import Permission, Principal
from beffroi.domain import ApprovalChoice, Item, PublicationState
from beffroi.errors import Forbidden, NotFound
from beffroi.review import holds
from beffroi.store import holds_store, items_store
from beffroi.web import cursor
from beffroi.web.auth import Caller, RuntimeDep
from beffroi.web.routes.items import read_item
from beffroi.web.schemas import ItemOut, PublicationOut

router = APIRouter(prefix="/v1", tags=["holds"])


class ApprovalIn(BaseModel):
    decision: ApprovalChoice = Field(description="approve, or reject: a reject ends the hold at once.")
    note: str | None = Field(default=None, max_length=2000, description="Why; shown in the verdict's reasons.")


class HoldOut(BaseModel):
    item_id: str
    space: str
    author: dict[str, str | None]
    source: dict[str, str | None]
    text: str
    publication: PublicationOut


class HoldsPage(BaseModel):
    holds: list[HoldOut]
    next: str | None  # pass as `after` for the next page; None when this page is the last


@router.post("/items/{item_id}/approvals", status_code=201, response_model=ItemOut)
def decide(item_id: str, body: ApprovalIn, caller: Caller, runtime: RuntimeDep) -> ItemOut:
    runtime.db.writer.run(lambda tx: holds.decide(tx, caller, item_id, body.decision, body.note))
    return read_item(runtime, caller, item_id, None)


@router.get("/holds", response_model=HoldsPage)
def list_holds(
    caller: Caller,
    runtime: RuntimeDep,
    space: str | None = None,
    state: PublicationState = PublicationState.HELD,
    after: Annotated[str | None, Query(description="The `next` cursor of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> HoldsPage:
    approvable = _approvable_spaces(caller, space)
    with runtime.db.read() as conn:
        found = holds_store.list_holds(
            conn, approvable, space=space, state=state, after=cursor.parse(after), limit=limit
        )
        held_items = items_store.get_items(conn, [h.item_id for h in found])
    page = [_hold(h, held_items[h.item_id]) for h in found if h.item_id in held_items]
    return HoldsPage(holds=page, next=cursor.of(found[-1].id) if len(found) == limit else None)


def _approvable_spaces(caller: Principal, space: str | None) -> frozenset[str] | None:
    if space is not None and not caller.can(Permission.ITEM_READ, space):
        raise NotFound(f"no space {space!r}", hint="list the spaces you can see: GET /v1/spaces")
    if space is not None:
        caller.require(Permission.ITEM_APPROVE, space)
    approvable = caller.spaces_with(Permission.ITEM_APPROVE)
    if approvable == frozenset():
        raise Forbidden(
            f"{caller.name} approves in no space: holds are listed for the admins who decide on them",
            hint="ask for the admin role in a space (beffroi member grant)",
        )
    return approvable


def _hold(record: holds_store.HoldRecord, item: Item) -> HoldOut:
    return HoldOut(
        item_id=record.item_id,
        space=record.space,
        author={"id": item.author.id, "handle": item.author.handle, "display_name": item.author.display_name},
        source={"platform": item.source.platform, "remote_id": item.source.remote_id, "url": item.source.url},
        text=item.text,
        publication=PublicationOut.of(record.publication),
    )
