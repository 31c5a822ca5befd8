"""Members' platform accounts: linked so that nobody approves a post they wrote themselves."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from beffroi.access import Permission, Principal
from beffroi.errors import Forbidden
from beffroi.ingest.models import SLUG
from beffroi.store import accounts_store, members_store
from beffroi.store.accounts_store import LinkedAccount
from beffroi.web.auth import Caller, RuntimeDep

router = APIRouter(prefix="/v1/members/{member_id}/accounts", tags=["members"])


class AccountIn(BaseModel):
    platform: str = Field(pattern=SLUG, examples=["mastodon"], description="As items name it in source.platform.")
    account_id: str = Field(min_length=1, max_length=200, description="As items name it in author.id.")


class AccountOut(BaseModel):
    platform: str
    account_id: str
    linked_at: datetime

    @classmethod
    def of(cls, account: LinkedAccount) -> AccountOut:
        return cls(platform=account.platform, account_id=account.account_id, linked_at=account.linked_at)


@router.get("", response_model=list[AccountOut])
def list_accounts(member_id: str, caller: Caller, runtime: RuntimeDep) -> list[AccountOut]:
    _require_self_or_manager(caller, member_id)
    with runtime.db.read() as conn:
        members_store.get_member(conn, member_id)
        return [AccountOut.of(a) for a in accounts_store.accounts_of(conn, member_id)]


@router.post("", status_code=201, response_model=AccountOut)
def link_account(member_id: str, body: AccountIn, caller: Caller, runtime: RuntimeDep) -> AccountOut:
    # Members may link their own accounts: a link only ever stops its member from approving.
    _require_self_or_manager(caller, member_id)
    with runtime.db.read() as conn:
        members_store.get_member(conn, member_id)
    actor = f"member:{caller.member_id}"
    linked = runtime.db.writer.run(lambda tx: accounts_store.link(tx, member_id, body.platform, body.account_id, actor))
    return AccountOut.of(linked)


@router.delete("/{platform}/{account_id:path}", status_code=204, response_class=Response)
def unlink_account(member_id: str, platform: str, account_id: str, caller: Caller, runtime: RuntimeDep) -> Response:
    if caller.member_id == member_id and not caller.can(Permission.MEMBER_MANAGE):
        # Unlinking one's own account would let one approve one's own posts: that takes a member manager.
        raise Forbidden(
            f"{caller.name} may not unlink their own account: it would let them approve their own posts",
            hint="ask an admin who manages members to unlink it",
        )
    caller.require(Permission.MEMBER_MANAGE)
    actor = f"member:{caller.member_id}"
    runtime.db.writer.run(lambda tx: accounts_store.unlink(tx, member_id, platform, account_id, actor))
    return Response(status_code=204)


def _require_self_or_manager(caller: Principal, member_id: str) -> None:
    if caller.member_id != member_id:
        caller.require(Permission.MEMBER_MANAGE)
