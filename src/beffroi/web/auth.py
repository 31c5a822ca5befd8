"""Who is calling: a Bearer token resolved to a Principal, from the cache when possible."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from beffroi.access import Principal
from beffroi.errors import Unauthorized
from beffroi.runtime import Runtime


async def runtime_of(request: Request) -> Runtime:
    # async: FastAPI runs a plain `def` dependency in its threadpool, a hop on every request for nothing.
    runtime: Runtime = request.app.state.runtime
    return runtime


async def authenticated(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("this endpoint needs an API token", hint="send the header Authorization: Bearer <token>")
    credentials = (await runtime_of(request)).credentials
    # A cache hit costs no I/O and stays on the event loop; a miss reads the database, so it leaves it.
    cached = credentials.cached(token.strip())
    return cached if cached is not None else await run_in_threadpool(credentials.principal, token.strip())


async def perhaps_authenticated(request: Request) -> Principal | None:
    """For the few calls people outside Beffroi make too (an author's appeal): no token is no caller."""
    if not request.headers.get("authorization", "").strip():
        return None
    return await authenticated(request)


Caller = Annotated[Principal, Depends(authenticated)]
OptionalCaller = Annotated[Principal | None, Depends(perhaps_authenticated)]
RuntimeDep = Annotated[Runtime, Depends(runtime_of)]


async def maybe_authenticated(request: Request) -> Principal | None:
    """For endpoints open to everyone (notices): no Authorization header is anonymous; a bad token is still 401."""
    if not request.headers.get("authorization", "").strip():
        return None
    return await authenticated(request)


MaybeCaller = Annotated[Principal | None, Depends(maybe_authenticated)]
