"""Workers apply each space's active version: one in its own process, as in production, picks up a version
activated after it started, without a restart; a stored version that no longer loads fails its items visibly."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest

from beffroi.analyzers.base import AnalyzerContext
from beffroi.cli.admin import ensure_default_space
from beffroi.cli.common import OPERATOR
from beffroi.domain import ActionKind, ItemStatus, Verdict
from beffroi.ingest.models import ItemIn
from beffroi.pipeline.policies import SpacePolicies
from beffroi.pipeline.worker import Worker
from beffroi.runtime import Runtime
from beffroi.settings import Settings
from beffroi.store import items_store
from tests.support import HOLD_MARKET, item, rules

HOLD = rules(HOLD_MARKET)


@pytest.fixture
def served(settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime(dataclasses.replace(settings, worker_mode="process"))
    runtime.migrate()
    ensure_default_space(runtime)
    runtime.start_workers(1)
    yield runtime
    runtime.close()


def _verdict(runtime: Runtime, text: str) -> Verdict:
    (result,) = runtime.ingestor.submit([ItemIn.model_validate(item(text))], OPERATOR).result()
    deadline = time.monotonic() + 60  # a bound for a broken worker, not a measure of speed
    while time.monotonic() < deadline:
        with runtime.db.read() as conn:
            if items_store.status_of(conn, result.id) == ItemStatus.ANALYSED:
                verdict = items_store.verdict_for(conn, result.id)
                assert verdict is not None
                return verdict
        time.sleep(0.05)
    raise AssertionError(f"item {result.id} was not analysed within 60 s")


@pytest.mark.slow
def test_a_running_worker_process_applies_a_new_activation_and_a_rollback(served: Runtime) -> None:
    before = _verdict(served, "Le marché ouvre à 8 h")
    assert (before.policy, before.actions[0].kind) == ("beffroi-default@1", ActionKind.ALLOW)
    versions = served.policy_versions
    versions.create("default", HOLD, "hold market posts", "test", activate=True)
    held = _verdict(served, "Le marché ouvre à 8 h")
    assert (held.policy, held.actions[0].kind, held.rules) == ("space:default@v1", ActionKind.HOLD, ("market-hold",))
    versions.create("default", HOLD.replace("[hold]", "[hide]"), "hide instead", "test", activate=True)
    assert _verdict(served, "Le marché ouvre à 8 h").actions[0].kind == ActionKind.HIDE
    versions.activate("default", 1, "test")  # roll back
    rolled_back = _verdict(served, "Le marché ouvre à 8 h")
    assert (rolled_back.policy, rolled_back.actions[0].kind) == ("space:default@v1", ActionKind.HOLD)


def test_a_version_that_does_not_load_on_a_worker_fails_its_items_visibly(runtime: Runtime) -> None:
    threat_hold = rules("{name: threat-hold, when: signals.threat >= 0.8, then: [hold]}")
    runtime.policy_versions.create("default", threat_hold, "", "test", activate=True)
    # This worker's analyzers declare no `threat` label, as when the analyzer a version reads is uninstalled.
    policies = SpacePolicies(runtime.db, {"language.fr"}, runtime.policy)
    analyzers = runtime.registry.create(AnalyzerContext(runtime.settings), ["language"])
    worker = Worker("test", runtime.db, runtime.queue, analyzers, policies, runtime.settings)
    (result,) = runtime.ingestor.submit([ItemIn.model_validate(item("Bonjour"))], OPERATOR).result()
    for _ in range(runtime.settings.job_max_attempts):
        time.sleep(runtime.settings.job_retry_base_seconds * 2**runtime.settings.job_max_attempts)  # backoff
        worker.run_once()
    with runtime.db.read() as conn:
        failed = items_store.get_item(conn, result.id)
    assert failed is not None and failed.status == ItemStatus.FAILED
    assert failed.error == (
        "policy space:default@v1 does not load on this worker: space:default@v1:4:39: unknown label 'threat'"
    )
