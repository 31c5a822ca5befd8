"""One place that builds the service from its settings: database, blobs, queue, analyzers, policy, workers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import httpx

from beffroi import audit
from beffroi.analyzers.base import AnalyzerContext
from beffroi.analyzers.registry import AnalyzerRegistry
from beffroi.domain import ItemStatus
from beffroi.errors import ConfigError, Unavailable
from beffroi.ingest.pool import IngestPool
from beffroi.ingest.service import Ingestor
from beffroi.members import Credentials
from beffroi.pipeline.completions import Completions
from beffroi.pipeline.embedded import EmbeddedQueue
from beffroi.pipeline.fetch import MediaFetcher
from beffroi.pipeline.policies import SpacePolicies
from beffroi.pipeline.processes import WorkerProcesses
from beffroi.pipeline.queue import WorkQueue
from beffroi.pipeline.worker import Worker, is_dead_local_worker, worker_name
from beffroi.policy.approval import ApprovalRequired
from beffroi.policy.base import Policy
from beffroi.policy.loader import default_policy_text, load_default_policy, load_policy
from beffroi.policy.problems import PolicyError
from beffroi.policy.thresholds import ThresholdPolicy
from beffroi.policy_versions import PolicyVersions
from beffroi.review.decision_rules import DecisionRules
from beffroi.settings import Settings
from beffroi.space_settings import SpaceSettings
from beffroi.store import audit_log, migrate, spaces_store
from beffroi.store.blobs import BlobStore
from beffroi.store.database import Database
from beffroi.store.schema import items
from beffroi.store.writer import Tx

log = logging.getLogger(__name__)


def build_policy(settings: Settings, registry: AnalyzerRegistry) -> Policy:
    """The policy BEFFROI_POLICY_FILE names; conditions may read the labels of every registered analyzer."""
    if settings.policy_file == "thresholds":
        return ThresholdPolicy(settings.review_threshold, settings.hold_threshold)
    if not settings.policy_file:
        return load_default_policy(registry.labels())
    path = Path(settings.policy_file)
    try:
        return load_policy(path.read_text(encoding="utf-8"), str(path), registry.labels())
    except OSError as exc:
        raise ConfigError(f"BEFFROI_POLICY_FILE={path}: cannot read it ({exc.strerror or exc})") from None
    except PolicyError as exc:
        raise ConfigError(
            f"BEFFROI_POLICY_FILE={path} did not load:\n{exc.render()}", hint=f"run: beffroi rules check {path}"
        ) from None


def policy_file_text(settings: Settings) -> str | None:
    """The source of the policy BEFFROI_POLICY_FILE names, shown when a space inherits it; None: thresholds."""
    if settings.policy_file == "thresholds":
        return None
    if not settings.policy_file:
        return default_policy_text()
    return Path(settings.policy_file).read_text(encoding="utf-8")  # build_policy read it already: it exists


class Runtime:
    def __init__(
        self,
        settings: Settings,
        registry: AnalyzerRegistry | None = None,
        http_transport: httpx.BaseTransport | None = None,
    ):
        settings.check()
        self.settings = settings
        self.db = Database(settings.database, sqlite_synchronous=settings.sqlite_synchronous)
        self.blobs = BlobStore(settings.blob_dir)
        self.queue: WorkQueue = EmbeddedQueue(self.db, settings.job_lease_seconds)
        self.registry = registry or AnalyzerRegistry.discover()
        self.policy = build_policy(settings, self.registry)  # what decides where no version is active
        self.policy_versions = PolicyVersions(self.db, self.registry.labels(), self.policy, policy_file_text(settings))
        self._space_policies = SpacePolicies(self.db, self.registry.labels(), self.policy)
        self._policies_lock = threading.Lock()  # SpacePolicies serves one thread at a time
        self.decision_rules = DecisionRules.from_settings(settings)  # grounds, second review, appeal period
        self.ingestor = Ingestor(self.db, self.blobs, settings, self.queue)
        self.credentials = Credentials(self.db, settings.token_cache_seconds)
        self.completions = Completions()
        # Injected transport: tests serve media from httpx.MockTransport, never by patching internals.
        self.http = httpx.Client(
            transport=http_transport,
            timeout=settings.media_fetch_timeout_seconds,
            follow_redirects=True,
            max_redirects=3,
            headers={"User-Agent": "Beffroi"},
        )
        self.work_available = threading.Event()
        self.ingestor.on_stored = self.work_available.set
        self.ingest_pool: IngestPool | None = None  # started by the web app: batches prepared off its process
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._workers: list[Worker] = []
        self._processes: WorkerProcesses | None = None

    def policy_for(self, space: str) -> Policy:
        """What judges the space's items now, as a worker would: the version in force (or the default) under the
        space's approval requirement. Used to judge an item again when a notice arrives."""
        with self._policies_lock:
            self._space_policies.refresh()
            policy = self._space_policies.for_space(space)
        with self.db.read() as conn:
            settings = spaces_store.settings_of(conn, [space]).get(space) or SpaceSettings()
        return ApprovalRequired(policy, {space: settings.approval})

    def migrate(self) -> None:
        migrate.upgrade(self.db)

    def require_migrated(self) -> None:
        if not migrate.is_current(self.db):
            raise Unavailable("the database is not at the current schema", hint="run: beffroi init")

    def worker(self, name: str, on_done: Callable[[list[str]], None] | None = None) -> Worker:
        context = AnalyzerContext(self.settings, self.blobs.read)
        analyzers = self.registry.create(context, self.settings.analyzer_names)
        fetcher = MediaFetcher(self.http, self.ingestor.store_media, self.db.writer.run, self.settings.max_media_bytes)
        return Worker(
            name,
            self.db,
            self.queue,
            analyzers,
            self.space_policies(),
            self.settings,
            on_done or self.completions.notify,
            fetcher,
        )

    def space_policies(self) -> SpacePolicies:
        """What a worker evaluates items with; each worker holds its own, refreshed once per batch."""
        return SpacePolicies(self.db, self.registry.labels(), self.policy)

    def start_workers(self, count: int) -> None:
        released = self.queue.release(is_dead_local_worker)
        if released:
            log.info("took back %d jobs held by workers of this machine that died", released)
        if count and self.settings.worker_mode == "process":
            self._processes = WorkerProcesses(self.settings, count, self.completions.notify)
            self.ingestor.on_stored = self._processes.wake.set
            self._processes.start()
            log.info("started %d analysis worker process(es)", count)
            return
        if self.settings.worker_mode not in ("process", "thread"):
            raise ConfigError(f"BEFFROI_WORKER_MODE={self.settings.worker_mode!r}: use process or thread")
        for index in range(count):
            worker = self.worker(worker_name(index))
            thread = threading.Thread(
                target=worker.run, args=(self._stop, self.work_available), name=worker.name, daemon=True
            )
            self._workers.append(worker)
            self._threads.append(thread)
            thread.start()
        log.info(
            "started %d analysis worker thread(s) with analyzers: %s",
            count,
            ", ".join(a.name for a in self._workers[0].analyzers) if self._workers else "-",
        )

    def start_ingest_pool(self, processes: int) -> None:
        if processes > 0 and self.ingest_pool is None:
            self.ingest_pool = IngestPool(processes)
            self.ingest_pool.start()
            log.info("started %d ingest process(es)", processes)

    def stop_ingest_pool(self) -> None:
        if self.ingest_pool is not None:
            self.ingest_pool.close()
            self.ingest_pool = None

    def stop_workers(self) -> None:
        if self._processes is not None:
            self._processes.stop()
            self._processes = None
            self.ingestor.on_stored = self.work_available.set
        self._stop.set()
        self.work_available.set()
        for thread in self._threads:
            thread.join()
        for worker in self._workers:
            worker.close()
        self._threads.clear()
        self._workers.clear()
        self._stop = threading.Event()  # so the same runtime can start workers again (tests, reloads)

    def retry_failed(self, item_ids: list[str], actor: str) -> int:
        """Queue failed analyses again (all of them when no id is given); returns how many."""
        ids = item_ids or [job.item_id for job in self.queue.failed(limit=100_000)]

        def write(tx: Tx) -> int:
            revived = self.queue.revive(tx, ids)
            tx.conn.execute(
                items.update()
                .where(items.c.id.in_(ids), items.c.status == ItemStatus.FAILED.value)
                .values(status=ItemStatus.PENDING.value, error=None)
            )
            audit_log.append(tx, [audit.AnalysisRetried(actor, item_id) for item_id in ids])
            return revived

        revived = self.db.writer.run(write) if ids else 0
        self.work_available.set()
        return revived

    def close(self) -> None:
        self.stop_ingest_pool()
        self.stop_workers()
        self.http.close()
        self.db.close()
