"""Batches validated and prepared in processes of their own, so the API's process only stores them.

In one process, a batch's validation and preparation (pydantic, rows, audit digests: about 60 us an item) hold
the interpreter lock that the writer thread needs between every row SQLite inserts: the two never overlapped,
and the batch endpoint was bound to one core (docs/benchmarks.md). A pool process does that work on another
core and hands back PreparedItems; the API's process checks their spaces once per batch and stores them.

Only the plain case goes through the pool. A batch that is invalid, too large, or carries media gets None back,
and the caller takes the in-process path, whose errors and media handling are the API's own.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from pydantic import ValidationError

from beffroi.ids import new_id
from beffroi.ingest.models import BatchIn
from beffroi.ingest.prepared import PreparedItem, prepare

log = logging.getLogger(__name__)

PARENT_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Limits:
    max_items: int
    max_text_chars: int


def prepare_batch(raw: bytes, actor: str, priority: int, limits: Limits) -> list[PreparedItem] | None:
    """The items of a batch body, prepared; None where the API's own path must answer (errors, media)."""
    try:
        batch = BatchIn.model_validate_json(raw)
    except ValidationError:
        return None
    payloads = batch.items
    if len(payloads) > limits.max_items:
        return None
    if any(p.media or len(p.text) > limits.max_text_chars for p in payloads):
        return None
    return [prepare(new_id("itm"), p, actor, priority) for p in payloads]


def _ready() -> bool:
    return True


def _child_start() -> None:
    # Ctrl-C reaches the whole process group: the service stops its pool itself, without a traceback per child.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    gc.freeze()  # what the imports allocated is never garbage: keep the collector off it


def _exit_when_orphaned(parent: int) -> None:
    """A service killed outright (SIGKILL, the OOM killer) cannot stop its pool, and a pool process waits on a
    queue it holds both ends of: it would wait forever. It holds nothing durable, so it just leaves."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


class IngestPool:
    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._lock = threading.Lock()
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        # spawn, not fork: the API's process has threads (writer, checkpointer) whose locks a fork would copy.
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.processes, mp_context=context, initializer=_child_start)

    def start(self) -> None:
        """Start every process now, so the first batches do not pay for their imports."""
        for future in [self._executor.submit(_ready) for _ in range(self.processes)]:
            future.result()

    async def prepare_batch(self, raw: bytes, actor: str, priority: int, limits: Limits) -> list[PreparedItem] | None:
        executor = self._executor
        try:
            return await asyncio.wrap_future(executor.submit(prepare_batch, raw, actor, priority, limits))
        except BrokenProcessPool:  # a pool process was killed: this batch is prepared here, later ones in a new pool
            log.warning("an ingest process died; starting the pool again", exc_info=True)
            self._replace(executor)
            return None
        except Exception:  # anything else the pool hit, the in-process path meets again and reports properly
            log.warning("the ingest pool failed on a batch; preparing it in the API's process", exc_info=True)
            return None

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:  # concurrent batches saw the same failure: replace it once
                self._executor = self._new_executor()
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
