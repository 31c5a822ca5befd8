"""The case a notice goes to: the open case that holds its item, in any queue, so duplicate notices gather in
one case; else a new case of the item in the `notices` queue.

A trusted flagger's notice (DSA Art. 22: processed with priority) opens its case higher, and raises the
priority of a case it joins.
"""

from __future__ import annotations

import sqlalchemy as sa

from beffroi import audit
from beffroi.domain import CaseGroup, CaseStatus, Item
from beffroi.review import cases
from beffroi.store.schema import case_items
from beffroi.store.schema import cases as case_rows
from beffroi.store.writer import Tx

QUEUE = "notices"
PRIORITY = 30  # a user's report: reviewed, below what the analyzers found severe
TRUSTED_PRIORITY = 70  # a trusted flagger's: ahead of most analyzer findings
TRUSTED_RAISE = 10  # each trusted notice moves the case it joins up by this much, to TRUSTED_PRIORITY at least


Joined = tuple[str, int, list[audit.AuditEvent]]  # the case's id, its priority after the notice, audit events


def join(tx: Tx, item: Item, trusted: bool, reason: str, actor: str, sla: cases.Sla) -> Joined:
    held = tx.conn.execute(
        sa.select(case_rows.c.id, case_rows.c.priority)
        .join(case_items, case_items.c.case_id == case_rows.c.id)
        .where(case_items.c.item_id == item.id, case_rows.c.status == CaseStatus.OPEN.value)
        .order_by(case_rows.c.priority.desc(), case_rows.c.opened_at)
    ).first()
    if held is None:
        return _open(tx, item, trusted, reason, actor, sla)
    priority = min(100, max(held.priority + TRUSTED_RAISE, TRUSTED_PRIORITY)) if trusted else held.priority
    if priority == held.priority:
        return held.id, priority, []
    tx.conn.execute(case_rows.update().where(case_rows.c.id == held.id).values(priority=priority))
    return held.id, priority, [audit.CasePriorityRaised(actor, held.id, priority, reason)]


def _open(tx: Tx, item: Item, trusted: bool, reason: str, actor: str, sla: cases.Sla) -> Joined:
    request = cases.CaseRequest(
        space=item.space,
        queue=QUEUE,
        priority=TRUSTED_PRIORITY if trusted else PRIORITY,
        item_id=item.id,
        group=CaseGroup.ITEM,
        group_key=item.id,
        reason=reason,
        reach=int(item.context.get("audience_size") or 0),
    )
    events = cases.open_or_join(tx, [request], actor, sla)  # a notice about the same item meanwhile: joined
    opened = tx.conn.execute(
        sa.select(case_rows.c.id, case_rows.c.priority).where(case_rows.c.open_group == request.open_group)
    ).one()
    return opened.id, opened.priority, events
