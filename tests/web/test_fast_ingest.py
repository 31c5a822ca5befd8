"""The ingest hot path below FastAPI answers plain new items itself and hands everything else on, body intact.

Each test drives FastIngest as an ASGI application over a real runtime (database, ingestor, token cache). What
sits behind it is a recorder standing for the rest of the application, so each test can tell which of the two
answered. The API tests turn the token cache off, so they reach the routes; the tests at the end run the whole
application with the cache on and compare its answers, errors included, with the routes' own.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from beffroi.domain import Role
from beffroi.runtime import Runtime
from beffroi.store.schema import items
from beffroi.web.app import create_app
from beffroi.web.fast_ingest import FastIngest
from tests.support import count, item, token_for


@dataclass
class Recorder:
    """The rest of the application: records what it was handed and answers 418."""

    bodies: list[bytes] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    listen_after_body: bool = False  # read once more after the body, as a streaming endpoint would

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            self.messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        if self.listen_after_body:
            self.messages.append(await receive())
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _call(
    app: FastIngest, body: bytes, token: str, *, path: str = "/v1/items", query: bytes = b"", chunks: int = 1
) -> tuple[int, bytes]:
    size = max(1, -(-len(body) // chunks))
    pieces = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    incoming: list[Message] = [
        {"type": "http.request", "body": piece, "more_body": n < len(pieces) - 1} for n, piece in enumerate(pieces)
    ]
    sent = _serve(app, incoming, token, path=path, query=query)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def _serve(
    app: FastIngest, incoming: list[Message], token: str, *, path: str = "/v1/items", query: bytes = b""
) -> list[Message]:
    """Run one request through `app`; after the messages given, the client is gone."""
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(_scope(token, path, query), receive, send))
    return sent


def _scope(token: str | None, path: str = "/v1/items", query: bytes = b"") -> dict[str, Any]:
    headers = [(b"content-type", b"application/json")]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return {"type": "http", "method": "POST", "path": path, "query_string": query, "headers": headers}


@pytest.fixture
def cached_token(runtime: Runtime, admin_token: str) -> str:
    runtime.credentials.cache_seconds = 60  # the tests' settings turn the token cache off
    runtime.credentials.principal(admin_token)  # what the first request of a client does
    return admin_token


def test_a_new_item_is_stored_and_answered_without_the_application(runtime: Runtime, cached_token: str) -> None:
    recorder = Recorder()
    status, answer = _call(FastIngest(recorder, runtime), orjson.dumps(item("Bonjour")), cached_token, chunks=3)
    assert status == 201
    assert recorder.bodies == []
    out = orjson.loads(answer)
    assert out["id"].startswith("itm_") and out["status"] == "pending" and out["text"] == "Bonjour"
    assert count(runtime, items) == 1


@pytest.mark.parametrize(
    ("case", "query"),
    [("unknown space", b""), ("invalid JSON", b""), ("media", b""), ("waiting", b"wait=5")],
)
def test_what_it_cannot_answer_goes_to_the_application_unchanged(
    runtime: Runtime, cached_token: str, case: str, query: bytes
) -> None:
    bodies = {
        "unknown space": orjson.dumps(item(space="nowhere")),
        "invalid JSON": b'{"space": "default", "text": ',
        "media": orjson.dumps(item(media=[{"url": "https://example.org/a.jpg"}])),
        "waiting": orjson.dumps(item()),
    }
    recorder = Recorder()
    status, _ = _call(FastIngest(recorder, runtime), bodies[case], cached_token, query=query, chunks=2)
    assert status == 418
    assert recorder.bodies == [bodies[case]]
    assert count(runtime, items) == 0  # refused, or left to the application: nothing stored on the way


def test_a_retry_is_answered_by_the_application_from_what_is_stored(runtime: Runtime, cached_token: str) -> None:
    body = orjson.dumps(item(remote_id="r-1"))
    fast = FastIngest(Recorder(), runtime)
    assert _call(fast, body, cached_token)[0] == 201
    recorder = Recorder()
    assert _call(FastIngest(recorder, runtime), body, cached_token)[0] == 418
    assert recorder.bodies == [body]
    assert count(runtime, items) == 1


def test_an_unknown_or_uncached_token_goes_to_the_application(runtime: Runtime, admin_token: str) -> None:
    for token in ("bft_wrong", admin_token):  # the second is valid but not looked up yet: the route does that
        recorder = Recorder()
        assert _call(FastIngest(recorder, runtime), orjson.dumps(item()), token)[0] == 418
    assert count(runtime, items) == 0


def test_without_a_cached_token_it_reads_nothing(runtime: Runtime) -> None:
    # A caller the route refuses with 401 must not make the service buffer a body first.
    read: list[Message] = []

    async def receive() -> Message:
        read.append({"type": "http.request", "body": b"x" * 1_000_000, "more_body": True})
        return read[-1]

    async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 401, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    asyncio.run(FastIngest(refuse, runtime)(_scope(None), receive, lambda message: asyncio.sleep(0)))
    assert read == []


def test_a_member_outside_the_space_is_left_to_the_application(runtime: Runtime) -> None:
    runtime.credentials.cache_seconds = 60
    token = token_for(runtime, "outsider", Role.ANALYST, "default")  # may read, may not submit
    runtime.credentials.principal(token)
    recorder = Recorder()
    assert _call(FastIngest(recorder, runtime), orjson.dumps(item()), token)[0] == 418
    assert count(runtime, items) == 0


def test_other_routes_pass_through(runtime: Runtime, cached_token: str) -> None:
    recorder = Recorder()
    body = orjson.dumps({"items": [item()]})
    assert _call(FastIngest(recorder, runtime), body, cached_token, path="/v1/items/batch")[0] == 418
    assert recorder.bodies == [body]


def test_a_client_gone_mid_body_reaches_the_application_with_the_disconnect(
    runtime: Runtime, cached_token: str
) -> None:
    recorder = Recorder(listen_after_body=True)
    incoming: list[Message] = [{"type": "http.request", "body": b'{"space": ', "more_body": True}]
    _serve(FastIngest(recorder, runtime), incoming, cached_token)  # then the client is gone
    assert recorder.messages[-1] == {"type": "http.disconnect"}
    assert recorder.bodies == [b'{"space": ']


def test_its_answer_is_the_routes_answer(runtime: Runtime, cached_token: str) -> None:
    app = create_app(runtime)
    with TestClient(app, headers={"Authorization": f"Bearer {cached_token}"}) as client:
        fast = client.post("/v1/items", json=item("Bonjour", remote_id="fast"))
        runtime.credentials.cache_seconds = 0  # the token is looked up again: the route answers
        routed = client.post("/v1/items", json=item("Bonjour", remote_id="routed"))
    assert fast.status_code == routed.status_code == 201
    assert fast.headers["content-type"] == routed.headers["content-type"]
    mine, theirs = fast.json(), routed.json()
    for answer in (mine, theirs):
        del answer["id"], answer["received_at"], answer["source"]["remote_id"]
    assert mine == theirs


CASES = {
    "unknown space": lambda settings: item(space="nowhere"),
    "too long": lambda settings: item("x" * (settings.max_text_chars + 1)),
    "outsider": lambda settings: item(),
    "nul character": lambda settings: item("a\u0000b"),  # PostgreSQL cannot store it (422); SQLite can (201)
    "not a number": lambda settings: item(context={"score": float("nan")}),
    "media by unknown sha256": lambda settings: item(media=[{"sha256": "a" * 64}]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_its_errors_are_the_routes_errors(runtime: Runtime, cached_token: str, case: str) -> None:
    token = token_for(runtime, "outsider", Role.ANALYST, "default") if case == "outsider" else cached_token
    answers = []
    for cache_seconds in (60, 0):  # the fast path tries first, then the route alone
        runtime.credentials.cache_seconds = cache_seconds
        runtime.credentials.principal(token)
        # Python's encoder writes NaN, which is not JSON but which pydantic's parser accepts: what such a client sends.
        body = json.dumps(CASES[case](runtime.settings)).encode()
        with TestClient(create_app(runtime), headers={"Authorization": f"Bearer {token}"}) as client:
            response = client.post("/v1/items", content=body, headers={"Content-Type": "application/json"})
        error = response.json().get("error", {}) if response.status_code >= 400 else {}
        answers.append((response.status_code, error.get("code"), error.get("message")))
    fast, routed = answers
    assert fast == routed
