"""One writer at a time across processes, woken the moment the previous one commits.

SQLite already serialises writers, but a writer that finds the lock taken waits in its busy handler, which
sleeps in growing steps (1, 2, 5, 10 ... 100 ms) and wakes to try again: an API request that met an analysis
worker's transaction waited up to tens of milliseconds after that transaction had committed. Every process's
writer first takes an exclusive flock on a file beside the database; the kernel hands it to the next waiter
as soon as it is released, so the busy handler never has to run.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager


class WriterGate:
    def __init__(self, database_path: str) -> None:
        self.path = database_path + ".writer-lock"
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)

    @contextmanager
    def held(self) -> Iterator[None]:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._fd)
