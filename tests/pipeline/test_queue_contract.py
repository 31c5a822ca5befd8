"""The contract every work-queue backend passes (the embedded one now; Redis joins the same tests)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from beffroi.cli.common import OPERATOR
from beffroi.ingest.models import ItemIn
from beffroi.pipeline.embedded import EmbeddedQueue
from beffroi.pipeline.queue import PRIORITY_WAITING, WorkQueue
from beffroi.runtime import Runtime
from tests.support import item

QueueFactory = Callable[[Runtime, float], WorkQueue]
BACKENDS: dict[str, QueueFactory] = {"embedded": lambda rt, lease: EmbeddedQueue(rt.db, lease)}


@pytest.fixture(params=sorted(BACKENDS))
def make_queue(request: pytest.FixtureRequest) -> QueueFactory:
    return BACKENDS[request.param]


def _enqueue(runtime: Runtime, queue: WorkQueue, n: int, priority: int = 0) -> list[str]:
    """Store n items; ingest enqueues them on the queue under test."""
    runtime.ingestor.queue = queue
    payloads = [ItemIn.model_validate(item(f"t{i}")) for i in range(n)]
    results = runtime.ingestor.submit(payloads, OPERATOR, priority=priority).result()
    return [r.id for r in results]


def test_two_consumers_never_hold_the_same_job(runtime: Runtime, make_queue: QueueFactory) -> None:
    queue = make_queue(runtime, 60)
    _enqueue(runtime, queue, 30)
    first, second = queue.claim("a", 20), queue.claim("b", 100)
    assert not {j.id for j in first} & {j.id for j in second}


def test_waiting_callers_are_served_first(runtime: Runtime, make_queue: QueueFactory) -> None:
    queue = make_queue(runtime, 60)
    _enqueue(runtime, queue, 5)
    urgent = _enqueue(runtime, queue, 1, PRIORITY_WAITING)
    assert queue.claim("a", 1)[0].item_id == urgent[0]


def test_an_expired_lease_lets_another_consumer_take_the_job(runtime: Runtime, make_queue: QueueFactory) -> None:
    queue = make_queue(runtime, 0.05)
    _enqueue(runtime, queue, 1)
    crashed = queue.claim("dies", 10)
    time.sleep(0.1)
    again = queue.claim("survivor", 100)
    assert [j.item_id for j in again] == [j.item_id for j in crashed]
    assert [j.attempts for j in again] == [2]


def test_a_claim_takes_expired_leases_first_then_ready_jobs_by_priority_then_age(
    runtime: Runtime, make_queue: QueueFactory
) -> None:
    queue = make_queue(runtime, 0.05)
    crashed = _enqueue(runtime, queue, 1)
    assert [j.item_id for j in queue.claim("dies", 10)] == crashed
    old, urgent = _enqueue(runtime, queue, 3), _enqueue(runtime, queue, 1, PRIORITY_WAITING)
    time.sleep(0.1)
    taken = queue.claim("survivor", 3)
    assert [j.item_id for j in taken] == [*crashed, old[0], *urgent]  # handed back in job order, oldest first
    assert [j.item_id for j in queue.claim("another", 10)] == old[1:]  # nothing taken twice, nothing left behind


def test_retry_waits_for_its_delay_and_bury_keeps_the_error(runtime: Runtime, make_queue: QueueFactory) -> None:
    queue = make_queue(runtime, 60)
    _enqueue(runtime, queue, 2)
    mine = queue.claim("a", 100)
    runtime.db.writer.run(lambda tx: queue.retry(tx, mine[0], "flaky", 30))
    runtime.db.writer.run(lambda tx: queue.bury(tx, mine[1], "poison: ValueError"))
    assert mine[0].item_id not in {j.item_id for j in queue.claim("a", 100)}
    failed = {f.item_id: f for f in queue.failed()}
    assert failed[mine[1].item_id].error == "poison: ValueError"
    assert runtime.db.writer.run(lambda tx: queue.revive(tx, [mine[1].item_id])) == 1
    assert mine[1].item_id in {j.item_id for j in queue.claim("a", 100)}


def test_complete_removes_the_job_for_good(runtime: Runtime, make_queue: QueueFactory) -> None:
    queue = make_queue(runtime, 0.01)
    _enqueue(runtime, queue, 3)
    jobs = queue.claim("a", 100)
    runtime.db.writer.run(lambda tx: queue.complete(tx, jobs))
    time.sleep(0.05)
    assert queue.claim("a", 100) == []
    assert queue.stats().ready == 0


def test_stats_count_what_is_owed(client: TestClient, runtime: Runtime) -> None:
    runtime.stop_workers()
    client.post("/v1/items/batch", json={"items": [item(f"s{i}") for i in range(4)]})
    assert runtime.queue.stats().ready == 4


def test_jobs_of_a_dead_consumer_are_released_at_once(runtime: Runtime, make_queue: QueueFactory) -> None:
    queue = make_queue(runtime, 3600)
    _enqueue(runtime, queue, 2)
    held = queue.claim("crashed-worker", 1)
    queue.claim("live-worker", 1)
    assert queue.release(lambda name: name == "crashed-worker") == 1
    assert [j.item_id for j in queue.claim("restarted", 10)] == [j.item_id for j in held]
