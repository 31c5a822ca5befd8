"""The hot path of ingest, answered below FastAPI: `POST /v1/items` with a cached token and no media or wait.

At a thousand items a second, FastAPI's middleware layers, route matching and dependency solving cost more
than storing the item (profiled: two thirds of the service's time). This ASGI middleware answers the plainest
and commonest request itself, with the same pieces the route uses (the token cache, the item model, the
ingestor, the pending answer), so the two cannot disagree. Anything else, and any request it could not
answer with a stored item, goes to the application untouched, the body replayed: errors keep their envelope
and their wording, and nothing is stored twice (ingest is idempotent, and a refused item stored nothing).
Without a cached token it reads nothing: a caller the route would refuse cannot make it buffer a body.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from beffroi.access import Principal
from beffroi.ingest.models import ItemIn
from beffroi.pipeline.queue import PRIORITY_NORMAL
from beffroi.runtime import Runtime
from beffroi.web.routes.items import pending_item

PATH = "/v1/items"
PLAIN_QUERIES = (b"", b"wait=0")


class FastIngest:
    def __init__(self, app: ASGIApp, runtime: Runtime):
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = self.runtime.credentials.cached(_bearer_token(scope)) if _plain_post(scope) else None
        if principal is None:
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        answer = None if more is not None else await self._ingest(principal, body)
        if answer is None:
            await self.app(scope, _replay(body, more, receive), send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    async def _ingest(self, principal: Principal, body: bytes) -> bytes | None:
        """The answer to a new item, or None for the application to give the answer (or the error)."""
        try:
            item = ItemIn.model_validate_json(body)
        except ValidationError:
            return None
        if item.media:
            return None
        try:
            future = self.runtime.ingestor.submit([item], principal, priority=PRIORITY_NORMAL, prefix="item")
            result = (await asyncio.wrap_future(future))[0]
        except Exception:  # refused, or not storable and rolled back: the route answers, with its error handlers
            return None
        if not result.created:  # a retry: the route reads back and answers with the stored item
            return None
        return pending_item(item, result).model_dump_json().encode()


def _plain_post(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope["method"] == "POST"
        and scope["path"] == PATH
        and scope["query_string"] in PLAIN_QUERIES
    )


def _bearer_token(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return ""


async def _read_body(receive: Receive) -> tuple[bytes, Message | None]:
    """The whole body, or what came before a message that is not body (a disconnect), with that message."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), message
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _replay(body: bytes, pending: Message | None, receive: Receive) -> Receive:
    replayed: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if pending is not None:
        replayed.append(pending)

    async def again() -> Message:
        return replayed.pop(0) if replayed else await receive()

    return again


def install(app: Any, runtime: Runtime) -> None:
    app.add_middleware(FastIngest, runtime=runtime)
