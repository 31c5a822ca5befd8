"""The embedded queue: jobs are rows of the database, so ingest and enqueue commit together.

Claiming is one UPDATE ... RETURNING through the single writer (SQLite) or with SKIP LOCKED (PostgreSQL),
so two workers never hold the same job, and an expired lease makes a crashed worker's job claimable again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

import sqlalchemy as sa

from beffroi.pipeline.queue import FailedJob, Job, QueueStats, WorkQueue
from beffroi.store.database import Database
from beffroi.store.schema import jobs
from beffroi.store.sql import bulk_insert
from beffroi.store.writer import Tx

READY, RUNNING, FAILED = "ready", "running", "failed"
KIND_ANALYZE = "analyze"
# Run on every batch: built once, as SQLAlchemy builds an `in_(values)` statement for twice what running it costs.
_DELETE_JOBS = jobs.delete().where(jobs.c.id.in_(sa.bindparam("ids", expanding=True)))


class EmbeddedQueue(WorkQueue):
    name = "embedded"

    def __init__(self, db: Database, lease_seconds: float):
        self.db = db
        self.lease = timedelta(seconds=lease_seconds)

    def enqueue(self, tx: Tx, item_ids: Sequence[str], priority: int = 0) -> None:
        if not item_ids:
            return
        rows = [
            {
                "kind": KIND_ANALYZE,
                "item_id": item_id,
                "priority": priority,
                "status": READY,
                "attempts": 0,
                "available_at": tx.now,
                "created_at": tx.now,
            }
            for item_id in item_ids
        ]
        bulk_insert(tx, jobs, rows)

    def claim(self, consumer: str, limit: int) -> list[Job]:
        return self.db.writer.run(lambda tx: self._claim(tx, consumer, limit))

    def _claim(self, tx: Tx, consumer: str, limit: int) -> list[Job]:
        # Two plain queries, not one with OR: each walks ix_jobs_claim_order and stops after `limit` rows, where
        # the OR made SQLite gather and sort the whole backlog at every claim (slower as the backlog grew).
        # Leases that ran out come first: their items have waited longest.
        ids = self._candidates(tx, sa.and_(jobs.c.status == RUNNING, jobs.c.locked_until < tx.now), limit)
        if len(ids) < limit:
            ready = sa.and_(jobs.c.status == READY, jobs.c.available_at <= tx.now)
            ids += self._candidates(tx, ready, limit - len(ids))
        if not ids:
            return []
        claimed = tx.conn.execute(
            jobs.update()
            .where(jobs.c.id.in_(ids))
            .values(
                status=RUNNING,
                locked_by=consumer,
                locked_until=tx.now + self.lease,
                attempts=jobs.c.attempts + 1,
            )
            .returning(jobs.c.id, jobs.c.item_id, jobs.c.attempts)
        ).all()
        return sorted((Job(r.id, r.item_id, r.attempts) for r in claimed), key=lambda j: j.id)

    def _candidates(self, tx: Tx, claimable: sa.ColumnElement[bool], limit: int) -> list[int]:
        query = sa.select(jobs.c.id).where(claimable).order_by(jobs.c.priority.desc(), jobs.c.id).limit(limit)
        if tx.dialect == "postgresql":  # rows another worker is claiming right now are skipped, not waited for
            query = query.with_for_update(skip_locked=True)
        return list(tx.conn.execute(query).scalars())

    def complete(self, tx: Tx, done: Sequence[Job]) -> None:
        if done:
            tx.conn.execute(_DELETE_JOBS, {"ids": [j.id for j in done]})

    def retry(self, tx: Tx, job: Job, error: str, delay_seconds: float) -> None:
        tx.conn.execute(
            jobs.update()
            .where(jobs.c.id == job.id)
            .values(
                status=READY,
                locked_by=None,
                locked_until=None,
                last_error=error,
                available_at=tx.now + timedelta(seconds=delay_seconds),
            )
        )

    def bury(self, tx: Tx, job: Job, error: str) -> None:
        tx.conn.execute(
            jobs.update()
            .where(jobs.c.id == job.id)
            .values(status=FAILED, locked_by=None, locked_until=tx.now, last_error=error)
        )

    def release(self, is_dead: Callable[[str], bool]) -> int:
        with self.db.read() as conn:
            holders = conn.execute(sa.select(jobs.c.locked_by).distinct().where(jobs.c.status == RUNNING)).scalars()
            dead = [h for h in holders if h and is_dead(h)]
        if not dead:
            return 0
        released = self.db.writer.run(
            lambda tx: (
                tx.conn.execute(
                    jobs.update()
                    .where(jobs.c.status == RUNNING, jobs.c.locked_by.in_(dead))
                    .values(status=READY, locked_by=None, locked_until=None, available_at=tx.now)
                ).rowcount
            )
        )
        return int(released)

    def failed(self, limit: int = 100) -> list[FailedJob]:
        query = (
            sa.select(jobs.c.id, jobs.c.item_id, jobs.c.attempts, jobs.c.last_error, jobs.c.locked_until)
            .where(jobs.c.status == FAILED)
            .order_by(jobs.c.id)
            .limit(limit)
        )
        with self.db.read() as conn:
            return [FailedJob(r.id, r.item_id, r.attempts, r.last_error, r.locked_until) for r in conn.execute(query)]

    def revive(self, tx: Tx, item_ids: Sequence[str]) -> int:
        result = tx.conn.execute(
            jobs.update()
            .where(jobs.c.status == FAILED, jobs.c.item_id.in_(list(item_ids)))
            .values(status=READY, attempts=0, available_at=tx.now, locked_until=None)
        )
        return int(result.rowcount)

    def stats(self) -> QueueStats:
        query = sa.select(jobs.c.status, sa.func.count()).group_by(jobs.c.status)
        with self.db.read() as conn:
            counts = {str(status): int(n) for status, n in conn.execute(query)}
        return QueueStats(counts.get(READY, 0), counts.get(RUNNING, 0), counts.get(FAILED, 0))
