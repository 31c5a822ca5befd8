"""Batches prepared in the ingest pool's processes: stored exactly as the API's own process stores them.

The pool only ever takes the plain case. Everything else (errors, media) must get the answer the API gives
without a pool, and a pool process that dies must lose nothing. The same runtime serves two applications in
each test, one with a pool of one process and one without, so their results can be compared row for row.
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from beffroi.domain import Role
from beffroi.ingest.models import BatchIn
from beffroi.ingest.pool import IngestPool, Limits, prepare_batch
from beffroi.ingest.prepared import PreparedItem
from beffroi.runtime import Runtime
from beffroi.store import audit_log, members_store
from beffroi.store.schema import audit_events, items, media
from beffroi.web.app import create_app
from beffroi.web.schemas import BatchOut
from tests.support import count, item, token_for

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


@contextmanager
def api(runtime: Runtime, token: str, processes: int) -> Iterator[TestClient]:
    app = create_app(runtime, workers=0, ingest_processes=processes)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


class Calls:
    """Counts what the pool prepared itself (a list) and what it handed back to the API's process (None)."""

    def __init__(self, pool: IngestPool) -> None:
        self.prepared = self.declined = 0
        self._prepare = pool.prepare_batch
        pool.prepare_batch = self  # type: ignore[method-assign]

    async def __call__(self, *args: Any) -> list[PreparedItem] | None:
        result = await self._prepare(*args)
        if result is None:
            self.declined += 1
        else:
            self.prepared += 1
        return result


def batch(prefix: str) -> list[dict[str, Any]]:
    found = [
        item(f"message {i}", remote_id=f"{prefix}-{i}", context={"audience_size": i, "thread": "x"}) for i in range(20)
    ]
    found.append(item("with an offset", remote_id=f"{prefix}-t", published_at="2026-11-30T13:00:00+01:00"))
    found.append(item("repeated in its batch", remote_id=f"{prefix}-3"))
    found.append(dict(item("named"), author={"id": "a2", "handle": "@b@x.org", "display_name": "Bé"}))
    found[-1]["source"]["remote_id"] = f"{prefix}-n"
    return found


def stored(runtime: Runtime, prefix: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Item rows and their ingest events, with what differs between two prefixes taken out."""
    ignored = {"id", "source_remote_id", "received_at"}
    with runtime.db.read() as conn:
        rows = conn.execute(
            sa.select(items).where(items.c.source_remote_id.like(f"{prefix}-%")).order_by(items.c.source_remote_id)
        ).all()
        events = conn.execute(
            sa.select(audit_events.c.type, audit_events.c.actor, audit_events.c.data)
            .where(audit_events.c.subject.in_([r.id for r in rows]))
            .order_by(audit_events.c.seq)
        ).all()
    found = [_without(dict(r._mapping), ignored) for r in rows]
    return found, [dict(e._mapping, data=_without(json.loads(e.data), {"item_id", "source_remote_id"})) for e in events]


def _without(data: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in keys}


def test_a_batch_prepared_in_the_pool_is_stored_as_the_api_process_stores_it(
    runtime: Runtime, admin_token: str
) -> None:
    with api(runtime, admin_token, 0) as plain:
        here = plain.post("/v1/items/batch", json={"items": batch("here")})
        again_here = plain.post("/v1/items/batch", json={"items": batch("here")})
    with api(runtime, admin_token, 1) as pooled:
        assert runtime.ingest_pool is not None
        calls = Calls(runtime.ingest_pool)
        there = pooled.post("/v1/items/batch", json={"items": batch("pool")})
        again_there = pooled.post("/v1/items/batch", json={"items": batch("pool")})
    assert calls.prepared == 2 and calls.declined == 0
    assert here.status_code == there.status_code == 200
    answers = [BatchOut.model_validate_json(r.content) for r in (here, there, again_here, again_there)]
    assert [(a.created, a.duplicates) for a in answers] == [(22, 1), (22, 1), (0, 23), (0, 23)]
    assert [r.id for r in answers[3].results] == [r.id for r in answers[1].results]  # a retry gets the same ids
    assert answers[1].results[21].id == answers[1].results[3].id  # the repeat gets its first occurrence's id
    assert stored(runtime, "pool") == stored(runtime, "here")
    with runtime.db.read() as conn:
        assert audit_log.verify(conn).ok


def test_what_the_pool_declines_gets_the_api_process_answer_and_stores_nothing(
    runtime: Runtime, admin_token: str
) -> None:
    runtime.db.writer.run(lambda tx: members_store.create_space(tx, "other", "Other", "test"))
    elsewhere = token_for(runtime, "other-town", Role.MODERATOR, "other")
    long_text = "x" * (runtime.settings.max_text_chars + 1)
    cases: list[tuple[str | None, bytes | dict[str, Any]]] = [
        (None, b'{"items": [{"space": '),  # malformed JSON
        (None, {"items": [{"space": "default", "text": "no author"}]}),  # the schema's own error
        (None, {"items": []}),
        (None, {"items": [item("a"), item("b", space="nowhere")]}),
        (None, {"items": [item(long_text)]}),
        (None, {"items": [item(f"n {i}") for i in range(runtime.settings.max_batch_items + 1)]}),
        (elsewhere, {"items": [item("not their space")]}),
    ]
    answers: dict[int, list[tuple[int, Any]]] = {}
    for processes in (0, 1):
        with api(runtime, admin_token, processes) as client:
            calls = Calls(runtime.ingest_pool) if runtime.ingest_pool else None
            answers[processes] = [post(client, body, token) for token, body in cases]
        if calls is not None:
            # The unknown space and the outsider's batch are valid: prepared there, then refused here by space.
            assert calls.declined == 5 and calls.prepared == 2
    assert answers[1] == answers[0]
    assert [status for status, _ in answers[1]] == [400, 422, 422, 422, 413, 413, 403]
    assert all(set(body) == {"error"} for _, body in answers[1])
    assert count(runtime, items) == 0


def post(client: TestClient, body: bytes | dict[str, Any], token: str | None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if isinstance(body, bytes):
        response = client.post("/v1/items/batch", content=body, headers=headers)
    else:
        response = client.post("/v1/items/batch", json=body, headers=headers)
    return response.status_code, response.json()


def test_a_batch_with_media_is_stored_by_the_api_process(runtime: Runtime, admin_token: str) -> None:
    attached = item("photo", media=[{"data": base64.b64encode(PNG).decode(), "mime_type": "image/png"}])
    with api(runtime, admin_token, 1) as client:
        assert runtime.ingest_pool is not None
        calls = Calls(runtime.ingest_pool)
        response = client.post("/v1/items/batch", json={"items": [attached, item("text only")]})
    assert response.status_code == 200 and response.json()["created"] == 2
    assert calls.declined == 1 and count(runtime, media) == 1


def test_a_killed_pool_process_loses_no_batch_and_the_pool_starts_again(runtime: Runtime, admin_token: str) -> None:
    with api(runtime, admin_token, 1) as client:
        assert runtime.ingest_pool is not None
        calls = Calls(runtime.ingest_pool)
        [child] = _pool_processes()
        os.kill(child, signal.SIGKILL)
        _wait_gone(child)
        during = client.post("/v1/items/batch", json={"items": [item(f"a {i}") for i in range(10)]})
        after = client.post("/v1/items/batch", json={"items": [item(f"b {i}") for i in range(10)]})
    assert during.status_code == after.status_code == 200
    assert during.json()["created"] == after.json()["created"] == 10
    assert calls.declined == 1 and calls.prepared == 1  # the first in this process, the next in a new pool
    assert count(runtime, items) == 20


def _pool_processes() -> list[int]:
    """This process's children that multiprocessing spawned to run the pool (not its resource tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if parent == os.getpid() and b"spawn_main" in command:
            found.append(int(stat.parent.name))
    return found


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and pid in _pool_processes():
        time.sleep(0.05)


LIMITS = Limits(max_items=10, max_text_chars=100)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"items": [{"space": "default"}]}',
        BatchIn(items=[item(f"n {i}") for i in range(11)]).model_dump_json().encode(),
        BatchIn(items=[item("x" * 101)]).model_dump_json().encode(),
        BatchIn(items=[item("p", media=[{"sha256": "0" * 64}])]).model_dump_json().encode(),
    ],
    ids=["malformed", "invalid", "too-many", "too-long", "media"],
)
def test_the_pool_declines_anything_but_plain_valid_items(body: bytes) -> None:
    assert prepare_batch(body, "member:m", 0, LIMITS) is None


def test_prepared_items_travel_between_processes_unchanged() -> None:
    body = BatchIn(items=[item("un", context={"audience_size": 3}), item("deux")]).model_dump_json().encode()
    prepared = prepare_batch(body, "member:m", 5, LIMITS)
    assert prepared is not None and len(prepared) == 2
    assert pickle.loads(pickle.dumps(prepared)) == prepared
    assert prepared[0].row["context"] == {"audience_size": 3} and prepared[0].priority == 5
    assert prepared[0].event().subject == prepared[0].id and prepared[0].event().actor == "member:m"
