"""Policies per space: the version in force, stored versions, new ones, activation (and rollback), backtests.

`{space}` is a space id, or `_default` for the installation default, which decides for every space that has no
active version of its own. Reading needs policy:read in the space (admin, moderator, analyst); changing needs
policy:manage (admin) there, and over every space for the installation default. A space the caller may not read
answers 404, like one that does not exist: ids reveal nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from beffroi.access import Permission, Principal
from beffroi.errors import Forbidden, NotFound
from beffroi.policy.versioning import DEFAULT_SCOPE, space_of, unsaved_label, version_label
from beffroi.runtime import Runtime
from beffroi.store.history import Window
from beffroi.web.auth import Caller, RuntimeDep
from beffroi.web.policy_schemas import BacktestIn, BacktestOut, InForceOut, PolicyVersionOut, VersionIn

router = APIRouter(prefix="/v1/spaces/{space}/policy", tags=["policies"])

Scope = Annotated[str, Path(description=f"A space id, or `{DEFAULT_SCOPE}` for the installation default.")]
Number = Annotated[int, Path(ge=1, description="The version number, from 1 in each space.")]


@router.get("", response_model=InForceOut, summary="The policy in force in a space")
def in_force(space: Scope, caller: Caller, runtime: RuntimeDep) -> InForceOut:
    """The version that decides the space's items now: its own, inherited from the installation default, or the
    policy file (`origin`), with its source and rules."""
    found = runtime.policy_versions.in_force(_readable(caller, runtime, space))
    return InForceOut.of(found, runtime.policy_versions.rules_of(found.source))


@router.get("/versions", response_model=list[PolicyVersionOut], summary="A space's policy versions, newest first")
def list_versions(space: Scope, caller: Caller, runtime: RuntimeDep) -> list[PolicyVersionOut]:
    scope = _readable(caller, runtime, space)
    active = runtime.policy_versions.active(scope)
    number = active.version if active else None
    return [PolicyVersionOut.of(v, v.version == number) for v in runtime.policy_versions.versions(scope)]


@router.get("/versions/{number}", response_model=PolicyVersionOut, summary="One version, with its source")
def get_version(space: Scope, number: Number, caller: Caller, runtime: RuntimeDep) -> PolicyVersionOut:
    return _version_out(runtime, _readable(caller, runtime, space), number)


@router.post(
    "/versions",
    status_code=201,
    response_model=PolicyVersionOut,
    summary="Store a new version, and activate it if asked",
    responses={422: {"description": "Invalid policy: `details` lists every problem with its line and column."}},
)
def create_version(space: Scope, body: VersionIn, caller: Caller, runtime: RuntimeDep) -> PolicyVersionOut:
    """The source is checked as `beffroi rules check` does; an invalid one is refused with every problem
    (`invalid_policy`) and nothing is stored or activated."""
    scope = _manageable(caller, runtime, space)
    created = runtime.policy_versions.create(scope, body.source, body.note, _actor(caller), activate=body.activate)
    return _version_out(runtime, scope, created.version)


@router.post("/versions/{number}/activate", response_model=PolicyVersionOut, summary="Put a version in force")
def activate(space: Scope, number: Number, caller: Caller, runtime: RuntimeDep) -> PolicyVersionOut:
    """Also how one rolls back: activate the older version. Running workers apply it from their next batch."""
    scope = _manageable(caller, runtime, space)
    runtime.policy_versions.activate(scope, number, _actor(caller))
    return _version_out(runtime, scope, number)


@router.post("/backtest", response_model=BacktestOut, summary="What a version would change on stored items")
def backtest(space: Scope, body: BacktestIn, caller: Caller, runtime: RuntimeDep) -> BacktestOut:
    """Evaluates a stored version or unsaved source over the space's stored items and their stored signals
    (nothing is analysed again), against the verdict each item got. For `_default`: the spaces that inherit it.
    Stores nothing."""
    scope = _readable(caller, runtime, space)
    versions = runtime.policy_versions
    if body.version is not None:
        label = version_label(scope, body.version)
        candidate = versions.compile(versions.version(scope, body.version).source, label, label)
    else:
        candidate = versions.compile(body.source or "", "source", unsaved_label(scope))
    spaces = [scope] if scope else [s for s in versions.inheriting_spaces() if caller.can(Permission.POLICY_READ, s)]
    report = versions.backtest(candidate, Window(spaces, body.since, body.until, body.limit), body.sample)
    return BacktestOut.of(scope, report, candidate.rules, body.limit)


def _readable(caller: Principal, runtime: Runtime, scope: str) -> str | None:
    space = space_of(scope)
    if space is None:  # every reader may see the default: it is what their spaces inherit
        if caller.spaces_with(Permission.POLICY_READ) == frozenset():
            raise _no_space(scope)
        return None
    if not caller.can(Permission.POLICY_READ, space):
        raise _no_space(scope)
    try:
        runtime.policy_versions.require_space(space)
    except NotFound:
        raise _no_space(scope) from None
    return space


def _manageable(caller: Principal, runtime: Runtime, scope: str) -> str | None:
    space = _readable(caller, runtime, scope)
    if not caller.can(Permission.POLICY_MANAGE, space):
        where = "the installation default" if space is None else f"space {space!r}"
        need = "an admin grant over every space" if space is None else f"the admin role in {space!r}"
        raise Forbidden(f"{caller.name} may not change the policy of {where}", hint=f"it takes {need}")
    return space


def _no_space(scope: str) -> NotFound:
    # The same answer whether the space does not exist or the caller may not read it.
    return NotFound(f"no space {scope!r}", hint="GET /v1/spaces lists the spaces you may read")


def _version_out(runtime: Runtime, space: str | None, number: int) -> PolicyVersionOut:
    versions = runtime.policy_versions
    found = versions.version(space, number)
    active = versions.active(space)
    return PolicyVersionOut.of(found, active is not None and active.version == number, versions.rules_of(found.source))


def _actor(caller: Principal) -> str:
    return f"member:{caller.member_id}"
