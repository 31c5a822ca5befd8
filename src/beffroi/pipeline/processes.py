"""Analysis workers as child processes of `beffroi serve`.

Analyzers are CPU-bound Python: in a thread they would hold the GIL against the API's event loop. In their own
processes they run beside it. An event wakes them when ingest commits, and a pipe tells the API which items are
done, so `?wait=` answers as soon as the verdict is stored.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.context import SpawnProcess
from multiprocessing.queues import SimpleQueue
from multiprocessing.synchronize import Event
from typing import TYPE_CHECKING

from beffroi.gc_tuning import tune_after_startup
from beffroi.pipeline.worker import worker_name
from beffroi.settings import Settings

if TYPE_CHECKING:
    from beffroi.store.writer import Writer

log = logging.getLogger(__name__)


class WorkerProcesses:
    def __init__(self, settings: Settings, count: int, on_done: Callable[[list[str]], None]):
        context = multiprocessing.get_context("spawn")
        self.wake: Event = context.Event()
        self._stop: Event = context.Event()
        self._done: SimpleQueue[list[str] | None] = context.SimpleQueue()
        self._processes: list[SpawnProcess] = [
            context.Process(
                target=worker_main,
                args=(settings, i, self.wake, self._stop, self._done),
                name=f"beffroi-worker-{i}",
                daemon=True,
            )
            for i in range(count)
        ]
        self._relay = threading.Thread(target=self._relay_done, args=(on_done,), name="beffroi-done", daemon=True)

    def start(self) -> None:
        for process in self._processes:
            process.start()
        self._relay.start()

    def stop(self) -> None:
        # Setting a multiprocessing Event waits for its sleepers to acknowledge, and a worker that died meanwhile
        # never does; the done queue's lock may be held by a worker killed mid-write. Seen once: a SIGTERM that
        # never finished shutting down. Every step is therefore bounded, and workers still running are killed.
        _bounded(self._signal_stop, SIGNAL_SECONDS)
        for process in self._processes:
            process.join(30)
            if process.is_alive():
                process.kill()
                process.join(5)
        _bounded(lambda: self._done.put(None), SIGNAL_SECONDS)
        self._relay.join(SIGNAL_SECONDS)

    def _signal_stop(self) -> None:
        self._stop.set()
        self.wake.set()

    def _relay_done(self, on_done: Callable[[list[str]], None]) -> None:
        while (item_ids := self._done.get()) is not None:
            on_done(item_ids)


PARENT_CHECK_SECONDS = 1.0
SIGNAL_SECONDS = 5.0
ORPHAN_GRACE_SECONDS = 10.0


def worker_main(settings: Settings, index: int, wake: Event, stop: Event, done: SimpleQueue[list[str] | None]) -> None:
    from beffroi.runtime import Runtime

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Watch the parent from the start: opening the runtime and loading the models take seconds, and a service
    # killed meanwhile must not leave this process behind (after its death os.getppid() names another parent).
    threading.Thread(target=_stop_when_orphaned, args=(os.getppid(), stop, wake), daemon=True).start()
    runtime = Runtime(settings)
    worker = runtime.worker(worker_name(index), on_done=done.put)
    worker.prepare()  # before tuning the collector, so what the analyzers load is frozen with the rest
    tune_after_startup()
    lower_analysis_priority(runtime.db.writer, settings.worker_nice)
    try:
        worker.run(stop, wake)  # type: ignore[arg-type]  # multiprocessing events have threading's API
    finally:
        worker.close()
        runtime.close()


def lower_analysis_priority(writer: Writer, increment: int) -> None:
    """Beside the API on the same cores, requests are answered first: analysis takes the CPU that remains and
    catches up (a fair share cost the batch endpoint 15-25%, docs/benchmarks.md). Only this thread, the one that
    analyses, is lowered: the writer's thread keeps the API's priority, as it holds the one SQLite write lock
    that ingest waits for, and a writer preempted while holding it makes every request wait behind it. (At
    1,000 items/s held 30 s, a whole process at nice 5 first measured 3,291-10,721 items owed against 841-2,490
    unlowered; later runs on a noisy host did not separate the two: docs/benchmarks.md, 2026-12-03.)"""
    if not sys.platform.startswith("linux"):  # elsewhere a priority is the whole process's
        os.nice(increment)
        return
    writer.start()  # before lowering: a thread is born with its creator's priority
    thread = threading.get_native_id()  # Linux applies a thread id's priority to that thread alone
    os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + increment)


def _stop_when_orphaned(parent: int, stop: Event, wake: Event) -> None:
    """A service killed outright (SIGKILL, the OOM killer) cannot stop its workers: they notice it is gone
    (they are handed to another parent) and stop after their batch, leaving no orphan to hold leases."""
    while not stop.is_set():  # polled, not waited on: a sleeper would make the parent's stop.set() wait for it
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            logging.getLogger(__name__).warning("the service that started this worker is gone: stopping")
            stop.set()
            wake.set()
            # The batch in hand commits meanwhile. Past that, the worker may be blocked telling the dead service
            # it is done (a pipe nobody reads, whose buffer is full): leave without waiting for it.
            time.sleep(ORPHAN_GRACE_SECONDS)
            os._exit(1)


def _bounded(step: Callable[[], object], seconds: float) -> None:
    """Run a step that may block on another process, giving up on it after `seconds` (daemon thread)."""
    runner = threading.Thread(target=step, name="beffroi-stop", daemon=True)
    runner.start()
    runner.join(seconds)
    if runner.is_alive():
        logging.getLogger(__name__).warning("stopping workers: a step took over %.0f s; going on without it", seconds)
