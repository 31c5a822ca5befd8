"""Members, their grants, API tokens and password login."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from beffroi.access import Permission
from beffroi.domain import Grant, Role
from beffroi.errors import NotFound
from beffroi.store import members_store
from beffroi.web.auth import Caller, RuntimeDep
from beffroi.web.schemas import MemberOut, TokenOut

router = APIRouter(prefix="/v1", tags=["members"])


class GrantIn(BaseModel):
    role: Role
    space: str | None = Field(default=None, description="A space id; leave out for every space.")

    def grant(self) -> Grant:
        return Grant(self.role, self.space)


class MemberIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.@-]+$")
    password: str | None = Field(default=None, min_length=12, description="For console login; 12 characters or more.")
    grants: list[GrantIn] = Field(default_factory=list)


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["mastodon bridge"])
    role: Role | None = Field(default=None, description="Narrow the token to one role; leave out for all of yours.")
    space: str | None = None


class LoginIn(BaseModel):
    name: str
    password: str


@router.get("/members", response_model=list[MemberOut])
def list_members(caller: Caller, runtime: RuntimeDep) -> list[MemberOut]:
    caller.require(Permission.MEMBER_MANAGE)
    with runtime.db.read() as conn:
        return [MemberOut.of(m) for m in members_store.list_members(conn)]


@router.post("/members", status_code=201, response_model=MemberOut)
def create_member(body: MemberIn, caller: Caller, runtime: RuntimeDep) -> MemberOut:
    caller.require(Permission.MEMBER_MANAGE)
    member_id = runtime.credentials.create_member(
        body.name, [g.grant() for g in body.grants], body.password, f"member:{caller.member_id}"
    )
    with runtime.db.read() as conn:
        return MemberOut.of(members_store.get_member(conn, member_id))


@router.post("/members/{member_id}/grants", response_model=MemberOut)
def add_grant(member_id: str, body: GrantIn, caller: Caller, runtime: RuntimeDep) -> MemberOut:
    caller.require(Permission.MEMBER_MANAGE)
    with runtime.db.read() as conn:
        members_store.get_member(conn, member_id)
    runtime.db.writer.run(lambda tx: members_store.add_grant(tx, member_id, body.grant(), f"member:{caller.member_id}"))
    with runtime.db.read() as conn:
        return MemberOut.of(members_store.get_member(conn, member_id))


@router.post("/tokens", status_code=201, response_model=TokenOut)
def create_token(body: TokenIn, caller: Caller, runtime: RuntimeDep) -> TokenOut:
    grant = Grant(body.role, body.space) if body.role else None
    token_id, token = runtime.credentials.create_token(caller.member_id, body.name, grant, f"member:{caller.member_id}")
    return TokenOut(id=token_id, token=token)


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response)
def revoke_token(token_id: str, caller: Caller, runtime: RuntimeDep) -> Response:
    with runtime.db.read() as conn:
        owner = members_store.token_owner(conn, token_id)
    if owner is None or (owner != caller.member_id and not caller.can(Permission.MEMBER_MANAGE)):
        raise NotFound(f"no token {token_id!r}")
    runtime.credentials.revoke(token_id, f"member:{caller.member_id}")
    return Response(status_code=204)


@router.post("/auth/login", response_model=TokenOut, tags=["auth"])
async def login(body: LoginIn, runtime: RuntimeDep) -> TokenOut:
    credentials = runtime.credentials
    member_id = await run_in_threadpool(credentials.login, body.name, body.password)  # argon2 takes ~50 ms
    ttl = timedelta(hours=runtime.settings.session_hours)
    token_id, token = await run_in_threadpool(
        credentials.create_token, member_id, "login", None, f"member:{member_id}", ttl
    )
    return TokenOut(id=token_id, token=token, expires_at=datetime.now(UTC) + ttl)
