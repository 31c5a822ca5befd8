"""Response shapes of cases and queues."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from beffroi.domain import CaseStatus
from beffroi.review.case_reads import CaseItem, Lock, Size
from beffroi.review.queues import QueueStats, Ranked
from beffroi.store.sql import aware
from beffroi.web.notice_schemas import NoticeOut
from beffroi.web.schemas import ItemOut


class LockOut(BaseModel):
    member_id: str
    name: str
    until: datetime


class CaseOut(BaseModel):
    id: str
    space: str
    queue: str
    status: str
    priority: int  # severity, 0-100: the highest asked by a rule or a notice
    effective_priority: float | None  # what the queue orders by (docs/review.md); None once decided
    reach: int
    group: dict[str, str]  # kind (item, author, media) and key
    reason: str
    opened_at: datetime
    due_at: datetime
    closed_at: datetime | None
    overdue: bool
    sla_seconds_left: float | None  # negative once overdue; None once decided
    lock: LockOut | None  # who is reviewing it now
    item_count: int
    notice_count: int

    @classmethod
    def of(cls, ranked: Ranked, lock: Lock | None, size: Size, now: datetime) -> CaseOut:
        row = ranked.row
        is_open = row.status == CaseStatus.OPEN.value
        due = aware(row.due_at)
        return cls(
            id=row.id,
            space=row.space_id,
            queue=row.queue,
            status=row.status,
            priority=row.priority,
            effective_priority=round(ranked.effective, 2) if is_open else None,
            reach=row.reach,
            group={"kind": row.group_kind, "key": row.group_key},
            reason=row.reason,
            opened_at=aware(row.opened_at),
            due_at=due,
            closed_at=aware(row.closed_at) if row.closed_at else None,
            overdue=is_open and ranked.overdue,
            sla_seconds_left=round((due - now).total_seconds(), 1) if is_open else None,
            lock=LockOut(member_id=lock.member_id, name=lock.name, until=lock.until) if lock else None,
            item_count=size.items,
            notice_count=size.notices,
        )


class CaseItemOut(BaseModel):
    reason: str  # the rule or notice that brought it into the case
    added_at: datetime
    item: ItemOut  # with its text, signals and latest verdict

    @classmethod
    def of(cls, joined: CaseItem) -> CaseItemOut:
        item = ItemOut.of(joined.item, joined.signals, joined.verdict)
        return cls(reason=joined.reason, added_at=joined.added_at, item=item)


class CaseDetailOut(CaseOut):
    items: list[CaseItemOut]
    notices: list[NoticeOut]


class QueueOut(BaseModel):
    space: str
    queue: str
    open: int
    unclaimed: int  # open and nobody holds them
    overdue: int
    oldest_age_seconds: float  # how long the oldest open case has waited

    @classmethod
    def of(cls, stats: QueueStats, now: datetime) -> QueueOut:
        return cls(
            space=stats.space,
            queue=stats.queue,
            open=stats.open,
            unclaimed=stats.unclaimed,
            overdue=stats.overdue,
            oldest_age_seconds=round((now - stats.oldest_opened_at).total_seconds(), 1),
        )
