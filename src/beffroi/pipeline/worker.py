"""The worker loop: claim a batch, analyze it, apply each item's space policy, store signals and verdicts,
audit, ack. The policies in force are checked once per batch, so a newly activated version applies at once.

A batch that makes an analyzer raise is retried item by item, so one poison item fails alone: after its
retries it is marked failed with the error, visible on the item, and never blocks the others.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from beffroi import audit
from beffroi.analyzers.base import Analyzer
from beffroi.analyzers.watchlist import protected_person_signal, watchlist_signal
from beffroi.domain import ActionKind, Item, Signal, Verdict
from beffroi.pipeline.fetch import MediaFetcher, TransientFetchError
from beffroi.pipeline.policies import PolicyUnavailable, SpacePolicies
from beffroi.pipeline.queue import Job, WorkQueue
from beffroi.policy.approval import ApprovalRequired
from beffroi.review import cases
from beffroi.settings import Settings
from beffroi.space_settings import SpaceSettings
from beffroi.store import audit_log, holds_store, items_store, notices_store, spaces_store
from beffroi.store.database import Database
from beffroi.store.writer import Tx

log = logging.getLogger(__name__)

IDLE_WAIT_SECONDS = 0.5  # longest sleep when idle; an in-process ingest wakes the worker at once


def worker_name(index: int) -> str:
    """host:pid:index, so a restarted service can tell which leases belong to workers that died."""
    return f"{socket.gethostname()}:{os.getpid()}:{index}"


def is_dead_local_worker(name: str) -> bool:
    host, _, rest = name.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's worker: only its lease can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class Writes:
    """What recording a verdict writes, built with the verdict, before the write transaction: SQLite has one
    write lock, and ingest waits while a worker holds it (building these inside made that wait a third longer)."""

    rows: items_store.AnalysisRows
    events: list[audit.EventRecord]  # chained in this order: signals recorded, verdict issued, hold placed
    hold: holds_store.NewHold | None
    cases: list[cases.CaseRequest]


@dataclass(frozen=True)
class Outcome:
    job: Job
    item: Item | None
    signals: list[Signal] | None = None
    verdict: Verdict | None = None
    error: str | None = None
    notices: int = 0  # the count the verdict was given with
    writes: Writes | None = None


class Worker:
    def __init__(
        self,
        name: str,
        db: Database,
        queue: WorkQueue,
        analyzers: Sequence[Analyzer],
        policies: SpacePolicies,
        settings: Settings,
        on_done: Callable[[list[str]], None] = lambda ids: None,
        fetcher: MediaFetcher | None = None,
    ):
        self.name = name
        self.actor = f"worker:{name}"
        self.db = db
        self.queue = queue
        self.analyzers = list(analyzers)
        self.policies = policies
        self.settings = settings
        self.on_done = on_done
        self.fetcher = fetcher
        self.spaces: dict[str, SpaceSettings] = {}  # the settings of the current batch's spaces
        self._prepared = False

    def prepare(self) -> None:
        """Load every analyzer's models; done once, by `run` if the process did not do it before."""
        if self._prepared:
            return
        started = time.monotonic()
        for analyzer in self.analyzers:
            analyzer.prepare()
        self._prepared = True
        log.info("worker %s ready in %.1f s", self.name, time.monotonic() - started)

    def run(self, stop: threading.Event, wake: threading.Event | None = None) -> None:
        self.prepare()
        while not stop.is_set():
            try:
                busy = self.run_once() > 0
            except Exception:
                log.exception("worker %s: batch failed; retrying after a pause", self.name)
                busy = False
            if not busy:
                (wake or stop).wait(IDLE_WAIT_SECONDS)
                if wake is not None:
                    wake.clear()

    def run_once(self) -> int:
        jobs = self.queue.claim(self.name, self.settings.worker_batch_size)
        if not jobs:
            return 0
        self.policies.refresh()
        ids = [job.item_id for job in jobs]
        with self.db.read() as conn:
            loaded = items_store.get_items(conn, ids)
            reported = notices_store.counts(conn, ids)
            # Read per batch: a space's new settings apply from the next batch on, in every worker process.
            self.spaces = spaces_store.settings_of(conn, {item.space for item in loaded.values()})
        outcomes = self._analyze(jobs, loaded, reported)
        self.db.writer.run(lambda tx: self._record(tx, outcomes))
        self.on_done([o.job.item_id for o in outcomes if o.error is None or self._gives_up(o.job)])
        return len(jobs)

    def _analyze(self, jobs: list[Job], loaded: dict[str, Item], reported: Mapping[str, int]) -> list[Outcome]:
        gone = [Outcome(job, None) for job in jobs if job.item_id not in loaded]  # deleted since: nothing owed
        present, unfetched = self._with_media([(job, loaded[job.item_id]) for job in jobs if job.item_id in loaded])
        gone += unfetched  # their error sends them back to the queue
        try:
            signals = self._signals([item for _, item in present])
        except Exception:
            log.warning("worker %s: a batch of %d failed; isolating the item at fault", self.name, len(present))
            return gone + [self._analyze_one(job, item, reported) for job, item in present]
        judged = [self._judged(job, item, found, reported) for (job, item), found in zip(present, signals, strict=True)]
        return gone + judged

    def _with_media(self, work: list[tuple[Job, Item]]) -> tuple[list[tuple[Job, Item]], list[Outcome]]:
        """Fetch media given by URL; an item whose fetch must be retried leaves the batch with its error."""
        if self.fetcher is None:
            return work, []
        ready, failed = [], []
        for job, item in work:
            try:
                ready.append((job, self.fetcher.fetch(item) if self.fetcher.pending(item) else item))
            except TransientFetchError as exc:
                failed.append(Outcome(job, item, error=f"could not fetch media: {exc}"))
        return ready, failed

    def _analyze_one(self, job: Job, item: Item, reported: Mapping[str, int]) -> Outcome:
        try:
            return self._judged(job, item, self._signals([item])[0], reported)
        except Exception as exc:
            return Outcome(job, item, error=_describe(exc))

    def _signals(self, batch: list[Item]) -> list[list[Signal]]:
        per_item: list[list[Signal]] = [[] for _ in batch]
        for analyzer in self.analyzers:
            results = analyzer.analyze(batch)
            if len(results) != len(batch):
                raise RuntimeError(f"analyzer {analyzer.name} returned {len(results)} results for {len(batch)} items")
            for found, more in zip(per_item, results, strict=True):
                found.extend(more)
        return per_item

    def _judged(self, job: Job, item: Item, signals: list[Signal], reported: Mapping[str, int]) -> Outcome:
        try:
            policy = self.policies.for_space(item.space)
        except PolicyUnavailable as exc:  # retried, then failed with the reason on the item: never a silent gap
            return Outcome(job, item, error=exc.message)
        # Whatever policy judges the item, its space's approval requirement is laid over the verdict.
        settings = self._settings(item.space)
        required = ApprovalRequired(policy, {item.space: settings.approval})
        named = watchlist_signal(item, settings.watchlist)  # recorded with the others, so the API shows where
        if named is not None and named not in signals:
            aimed = protected_person_signal(named, signals)
            signals = [*signals, named] if aimed is None else [*signals, named, aimed]
        count = reported.get(item.id, 0)
        verdict = required.evaluate(item, signals, count)
        return Outcome(job, item, signals, verdict, notices=count, writes=self._writes(item, signals, verdict))

    def _writes(self, item: Item, signals: list[Signal], verdict: Verdict) -> Writes:
        events = [
            audit.SignalsRecorded(self.actor, item.id, [_summary(s) for s in signals]).record(),
            audit.VerdictIssued.of(self.actor, item.id, verdict).record(),
        ]
        hold = None
        if verdict.disposition is ActionKind.HOLD:
            hold = self._hold(item)
            events.append(audit.HoldPlaced(self.actor, item.id, item.space, hold.approvals_required).record())
        requests = _case_requests(item, verdict)
        return Writes(items_store.analysis_rows(item.id, signals, verdict), events, hold, requests)

    def _settings(self, space: str) -> SpaceSettings:
        return self.spaces.get(space) or SpaceSettings()

    def _recounted(self, tx: Tx, done: list[Outcome]) -> list[Outcome]:
        """Judge again the items whose notices changed since they were judged: a notice that arrived meanwhile
        found the item still pending and left its count to this verdict (both lock the item row)."""
        reported = notices_store.counts(tx.conn, [o.job.item_id for o in done], lock_items=True)
        again = [
            self._judged(o.job, o.item, o.signals or [], reported)
            if o.item is not None and reported.get(o.item.id, 0) != o.notices
            else o
            for o in done
        ]
        return [new if new.error is None else old for new, old in zip(again, done, strict=True)]

    def _record(self, tx: Tx, outcomes: list[Outcome]) -> None:
        finished = [o for o in outcomes if o.error is None]
        done = self._recounted(tx, [o for o in finished if o.item is not None])
        writes = [o.writes for o in done if o.writes is not None]
        items_store.record_analysis(tx, [w.rows for w in writes])
        holds_store.place(tx, [w.hold for w in writes if w.hold is not None])
        requests = [request for w in writes for request in w.cases]
        opened = cases.open_or_join(tx, requests, self.actor, self.settings.review_sla_for)
        self.queue.complete(tx, [o.job for o in finished])
        failed = [event for o in outcomes if o.error is not None for event in self._failed(tx, o)]
        records = [record for w in writes for record in w.events]
        audit_log.append_records(tx, records + [event.record() for event in [*opened, *failed]])

    def _hold(self, item: Item) -> holds_store.NewHold:
        # Every held item waits for its space's admins, as many as the space asks, whichever rule held it.
        return holds_store.NewHold(item.id, item.space, self._settings(item.space).approval.approvals_required)

    def _failed(self, tx: Tx, outcome: Outcome) -> list[audit.AuditEvent]:
        job, error = outcome.job, outcome.error or "unknown error"
        if not self._gives_up(job):
            delay = self.settings.job_retry_base_seconds * 2 ** (job.attempts - 1)
            self.queue.retry(tx, job, error, delay)
            return []
        self.queue.bury(tx, job, error)
        items_store.mark_failed(tx, job.item_id, error)
        return [audit.AnalysisFailed(self.actor, job.item_id, job.attempts, error)]

    def _gives_up(self, job: Job) -> bool:
        return job.attempts >= self.settings.job_max_attempts

    def close(self) -> None:
        for analyzer in self.analyzers:
            analyzer.close()


def _case_requests(item: Item, verdict: Verdict) -> list[cases.CaseRequest]:
    reason = "; ".join(verdict.reasons)
    opened = [action for action in verdict.actions if action.kind is ActionKind.OPEN_CASE]
    return [cases.request_for(item, action, reason) for action in opened]


def _summary(signal: Signal) -> dict[str, object]:
    return {
        "analyzer": signal.analyzer,
        "version": signal.analyzer_version,
        "label": signal.label,
        "score": round(signal.score, 6),
    }


def _describe(exc: Exception) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    place = f" (at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})" if where else ""
    return f"{type(exc).__name__}: {exc}{place}"
