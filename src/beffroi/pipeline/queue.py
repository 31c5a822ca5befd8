"""The work-queue interface. Every backend passes tests/test_queue_contract.py.

Enqueueing happens inside the ingest transaction: a backend that is not the database itself (Redis) defers its
publish to `tx.after_commit` and relies on `requeue_stale` for what a crash lost between the two.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from beffroi.store.writer import Tx

PRIORITY_NORMAL = 0
PRIORITY_WAITING = 10  # a caller is waiting for the verdict (check before publish): serve it first


@dataclass(frozen=True)
class Job:
    id: int
    item_id: str
    attempts: int  # including this one


@dataclass(frozen=True)
class FailedJob:
    id: int
    item_id: str
    attempts: int
    error: str | None
    failed_at: datetime | None


@dataclass(frozen=True)
class QueueStats:
    ready: int
    running: int
    failed: int


class WorkQueue(ABC):
    name: str

    @abstractmethod
    def enqueue(self, tx: Tx, item_ids: Sequence[str], priority: int = PRIORITY_NORMAL) -> None:
        """Owe analysis of these items, atomically with the transaction that stores them."""

    @abstractmethod
    def claim(self, consumer: str, limit: int) -> list[Job]:
        """Lease up to `limit` jobs to a consumer; a lease that expires lets another consumer take the job."""

    @abstractmethod
    def complete(self, tx: Tx, jobs: Sequence[Job]) -> None:
        """Done, in the same transaction as the results, so a crash never loses or duplicates them."""

    @abstractmethod
    def retry(self, tx: Tx, job: Job, error: str, delay_seconds: float) -> None:
        """Give the job back, to be claimed again after the delay."""

    @abstractmethod
    def bury(self, tx: Tx, job: Job, error: str) -> None:
        """Give up: the job stays visible as failed, with its error, until someone retries it."""

    @abstractmethod
    def release(self, is_dead: Callable[[str], bool]) -> int:
        """Give back at once the leased jobs of consumers known dead, rather than wait for their leases."""

    @abstractmethod
    def failed(self, limit: int = 100) -> list[FailedJob]: ...

    @abstractmethod
    def revive(self, tx: Tx, item_ids: Sequence[str]) -> int:
        """Put failed jobs of these items back in the queue; returns how many."""

    @abstractmethod
    def stats(self) -> QueueStats: ...
