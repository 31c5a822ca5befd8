"""The worker: a poison item fails alone and visibly; flaky work is retried; nothing is lost."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.testclient import TestClient

from beffroi.analyzers.base import Analyzer, AnalyzerContext
from beffroi.cli.common import OPERATOR
from beffroi.domain import Item, ItemStatus, Signal
from beffroi.ingest.models import ItemIn
from beffroi.pipeline.worker import Worker
from beffroi.runtime import Runtime
from beffroi.store import items_store
from tests.support import item


class PoisonAnalyzer(Analyzer):
    """Fails on any text containing its poison word; fails once on 'flaky' texts, then succeeds."""

    name = "poison-test"
    version = "1"
    labels = ("length",)

    def __init__(self, context: AnalyzerContext, poison: str = "poison"):
        super().__init__(context)
        self.poison = poison
        self.flaky_seen: set[str] = set()

    def analyze(self, items: Sequence[Item]) -> list[list[Signal]]:
        for it in items:
            if self.poison in it.text:
                raise ValueError(f"cannot digest {it.text!r}")
            if "flaky" in it.text and it.id not in self.flaky_seen:
                self.flaky_seen.add(it.id)
                raise ConnectionError("model server went away")
        return [[self.signal("length", min(1.0, len(it.text) / 100))] for it in items]


def _worker(runtime: Runtime, poison: str = "poison") -> Worker:
    analyzer = PoisonAnalyzer(AnalyzerContext(runtime.settings), poison)
    return Worker("test", runtime.db, runtime.queue, [analyzer], runtime.space_policies(), runtime.settings)


def _submit(runtime: Runtime, *texts: str) -> list[str]:
    payloads = [ItemIn.model_validate(item(t)) for t in texts]
    return [r.id for r in runtime.ingestor.submit(payloads, OPERATOR).result()]


def _drain(worker: Worker, rounds: int = 20) -> None:
    import time

    for _ in range(rounds):
        if worker.run_once() == 0:
            time.sleep(0.05)


def _status(runtime: Runtime, item_id: str) -> Item:
    with runtime.db.read() as conn:
        found = items_store.get_item(conn, item_id)
    assert found is not None
    return found


def test_a_poison_item_fails_alone_with_its_error_visible(runtime: Runtime) -> None:
    good, bad, also_good = _submit(runtime, "fine text", "poison pill", "also fine")
    _drain(_worker(runtime))
    assert _status(runtime, good).status == ItemStatus.ANALYSED
    assert _status(runtime, also_good).status == ItemStatus.ANALYSED
    failed = _status(runtime, bad)
    assert failed.status == ItemStatus.FAILED
    assert failed.error is not None and "ValueError: cannot digest 'poison pill'" in failed.error
    assert [j.item_id for j in runtime.queue.failed()] == [bad]
    assert runtime.queue.failed()[0].attempts == runtime.settings.job_max_attempts


def test_a_flaky_failure_is_retried_and_succeeds(runtime: Runtime) -> None:
    (flaky,) = _submit(runtime, "flaky network")
    _drain(_worker(runtime))
    assert _status(runtime, flaky).status == ItemStatus.ANALYSED
    assert runtime.queue.failed() == []


def test_failed_items_can_be_retried_after_a_fix(runtime: Runtime) -> None:
    (bad,) = _submit(runtime, "poison")
    _drain(_worker(runtime))
    assert runtime.retry_failed([], "test") == 1
    assert _status(runtime, bad).status == ItemStatus.PENDING
    _drain(_worker(runtime, poison="a word no text has"))  # the analyzer was fixed
    assert _status(runtime, bad).status == ItemStatus.ANALYSED
    assert runtime.queue.failed() == []


def test_failures_show_over_the_api(client: TestClient, runtime: Runtime) -> None:
    runtime.stop_workers()  # only the poison worker below may analyse
    (bad,) = _submit(runtime, "poison")
    _drain(_worker(runtime))
    shown = client.get(f"/v1/items/{bad}").json()
    assert shown["status"] == "failed"
    assert "cannot digest" in shown["error"]
    assert client.get("/v1/jobs/failed").json()[0]["item_id"] == bad


def test_worker_names_tell_a_dead_local_worker() -> None:
    import os
    import socket
    import subprocess

    from beffroi.pipeline.worker import is_dead_local_worker, worker_name

    finished = subprocess.Popen(["true"])
    finished.wait()
    assert not is_dead_local_worker(worker_name(0))  # this process is alive
    assert is_dead_local_worker(f"{socket.gethostname()}:{finished.pid}:0")
    assert not is_dead_local_worker(f"elsewhere:{os.getpid() + 1}:0")  # another machine: only its lease tells
