"""The one writer: a thread that runs write tasks, grouping those queued together into one transaction.

Each task runs in a savepoint, so a task that fails is rolled back alone and its caller gets the exception;
the others still commit. A caller's future resolves only after COMMIT: acknowledged means durable.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, Engine

T = TypeVar("T")

MAX_GROUP = 256


@dataclass
class Tx:
    """What a write task receives: the connection and the per-transaction state shared by grouped tasks."""

    conn: Connection
    dialect: str
    now: datetime
    state: dict[str, Any] = field(default_factory=dict)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    before_commit: dict[str, Callable[[Tx], None]] = field(default_factory=dict)
    on_rollback: dict[str, Callable[[Tx], None]] = field(default_factory=dict)


@dataclass
class _Task:
    fn: Callable[[Tx], Any]
    future: Future[Any]


class Writer:
    def __init__(self, engine: Engine, dialect: str, gate: Callable[[], AbstractContextManager[None]] | None = None):
        """gate: held around each transaction, to order writers across processes (store/gate.py)."""
        self._engine = engine
        self._dialect = dialect
        self._gate = gate or nullcontext
        self._queue: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        """Start the writer's thread now (else the first write does): it inherits the starting thread's CPU
        priority, which a worker process lowers for its analysis thread alone (pipeline/processes.py)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the database writer is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="beffroi-writer", daemon=True)
                self._thread.start()

    def submit(self, fn: Callable[[Tx], T]) -> Future[T]:
        future: Future[T] = Future()
        self.start()
        self._queue.put(_Task(fn, future))
        return future

    def run(self, fn: Callable[[Tx], T]) -> T:
        return self.submit(fn).result()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            tasks = [first]
            stop = self._drain(tasks)
            self._run_group(tasks)
            if stop:
                return

    def _drain(self, tasks: list[_Task]) -> bool:
        while len(tasks) < MAX_GROUP:
            try:
                task = self._queue.get_nowait()
            except queue.Empty:
                return False
            if task is None:
                return True
            tasks.append(task)
        return False

    def _run_group(self, tasks: list[_Task]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        tx: Tx | None = None
        try:
            with self._gate(), self._engine.begin() as conn:
                tx = Tx(conn, self._dialect, datetime.now(UTC))
                for task in tasks:
                    outcomes.append(_run_task(tx, task, savepoint=len(tasks) > 1))
                for hook in tx.before_commit.values():
                    hook(tx)
        except BaseException as exc:  # the commit itself failed: nothing of the group is stored
            for task in tasks:
                task.future.set_exception(exc)
            return
        for task, (ok, value) in zip(tasks, outcomes, strict=True):
            if ok:
                task.future.set_result(value)
            else:
                task.future.set_exception(value)
        for callback in tx.after_commit:
            callback()


def _run_task(tx: Tx, task: _Task, *, savepoint: bool) -> tuple[bool, Any]:
    if not savepoint:
        return True, task.fn(tx)  # alone in its transaction: an exception rolls the whole thing back
    nested = tx.conn.begin_nested()
    callbacks_before = len(tx.after_commit)
    try:
        value = task.fn(tx)
    except Exception as exc:
        nested.rollback()
        del tx.after_commit[callbacks_before:]
        for reset in tx.on_rollback.values():
            reset(tx)
        return False, exc
    nested.commit()
    return True, value
