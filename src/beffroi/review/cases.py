"""Cases: units of human review, opened by verdicts (`open_case`) and by notices.

One open case per (space, queue, group): an item joins the open case of its group rather than opening a
second one, so a reviewer sees an author's five posts, or every copy of a video, together. The unique
`open_group` column makes this hold between concurrent workers too: the loser of the race joins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from beffroi import audit, ids
from beffroi.domain import Action, CaseGroup, CaseStatus, Item
from beffroi.store.schema import case_items, cases
from beffroi.store.sql import chunks, insert_ignore
from beffroi.store.writer import Tx

DEFAULT_PRIORITY = 50

# The SLA of a case: one for every queue, or per queue (Settings.review_sla_for reads BEFFROI_REVIEW_SLA_BY_QUEUE).
Sla = timedelta | Callable[[str], timedelta]


@dataclass(frozen=True)
class CaseRequest:
    """One item asking to be reviewed in a queue."""

    space: str
    queue: str
    priority: int
    item_id: str
    group: CaseGroup
    group_key: str
    reason: str
    reach: int = 0

    @property
    def open_group(self) -> str:
        return "\x1f".join((self.space, self.queue, self.group.value, self.group_key))


def request_for(item: Item, action: Action, reason: str) -> CaseRequest:
    """What an `open_case` action asks for this item."""
    group = CaseGroup(action.params.get("group", CaseGroup.ITEM.value))
    return CaseRequest(
        space=item.space,
        queue=str(action.params["queue"]),
        priority=int(action.params.get("priority", DEFAULT_PRIORITY)),
        item_id=item.id,
        group=group,
        group_key=group_key(item, group),
        reason=reason,
        reach=int(item.context.get("audience_size") or 0),
    )


def group_key(item: Item, group: CaseGroup) -> str:
    if group is CaseGroup.AUTHOR:
        return f"{item.source.platform}:{item.author.id}"
    if group is CaseGroup.MEDIA:
        stored = [a.sha256 for a in item.attachments if a.sha256]
        if stored:
            return stored[0]
    return item.id  # an item without stored media is its own group


def open_or_join(tx: Tx, requests: Sequence[CaseRequest], actor: str, sla: Sla) -> list[audit.AuditEvent]:
    """Put each requested item in the open case of its group, opening the case if there is none."""
    if not requests:
        return []
    by_group: dict[str, list[CaseRequest]] = {}
    for request in requests:
        by_group.setdefault(request.open_group, []).append(request)
    fresh = {group: _new_case(tx, asked, sla) for group, asked in by_group.items()}
    insert_ignore(tx, cases, list(fresh.values()), conflict=["open_group"])
    open_cases = _open_cases(tx, list(by_group))
    already = _items_in(tx, [row.id for row in open_cases.values()])
    events: list[audit.AuditEvent] = []
    joined: list[dict[str, object]] = []  # written in one statement: a batch of threats opens many cases
    for group, asked in by_group.items():
        case = open_cases[group]
        opened = case.id == fresh[group]["id"]
        priority, reach = case.priority, case.reach
        for request in asked:
            if (case.id, request.item_id) in already:
                # An item judged again (its notices changed) may ask more of the case it is in already.
                if request.priority > priority:
                    events.append(audit.CasePriorityRaised(actor, case.id, request.priority, request.reason))
                priority, reach = max(priority, request.priority), max(reach, request.reach)
                continue
            already.add((case.id, request.item_id))
            joined.append(
                {"case_id": case.id, "item_id": request.item_id, "reason": request.reason, "added_at": tx.now}
            )
            priority, reach = max(priority, request.priority), max(reach, request.reach)
            if opened and request is asked[0]:
                events.append(
                    audit.CaseOpened(
                        actor,
                        case.id,
                        request.space,
                        request.queue,
                        priority,
                        request.group.value,
                        request.item_id,
                        request.reason,
                    )
                )
            else:
                events.append(audit.CaseItemAdded(actor, case.id, request.item_id, request.reason, priority))
        if (priority, reach) != (case.priority, case.reach):
            tx.conn.execute(cases.update().where(cases.c.id == case.id).values(priority=priority, reach=reach))
    insert_ignore(tx, case_items, joined, conflict=["case_id", "item_id"])
    return events


def _new_case(tx: Tx, asked: list[CaseRequest], sla: Sla) -> dict[str, object]:
    first = asked[0]
    due_in = sla if isinstance(sla, timedelta) else sla(first.queue)
    return {
        "id": ids.new_id("case"),
        "space_id": first.space,
        "queue": first.queue,
        "priority": first.priority,
        "group_kind": first.group.value,
        "group_key": first.group_key,
        "open_group": first.open_group,
        "status": CaseStatus.OPEN.value,
        "reason": first.reason,
        "reach": first.reach,
        "assigned_to": None,
        "locked_until": None,
        "opened_at": tx.now,
        "due_at": tx.now + due_in,
        "closed_at": None,
    }


def _open_cases(tx: Tx, groups: list[str]) -> dict[str, sa.Row[object]]:
    found: dict[str, sa.Row[object]] = {}
    for chunk in chunks(groups):
        found.update({row.open_group: row for row in tx.conn.execute(_OPEN_CASES, {"groups": chunk})})
    return found


# Run by the worker on every batch with a case to open: built once (see items_store).
_OPEN_CASES = sa.select(cases.c.id, cases.c.open_group, cases.c.priority, cases.c.reach).where(
    cases.c.open_group.in_(sa.bindparam("groups", expanding=True))
)


def _items_in(tx: Tx, case_ids: list[str]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for chunk in chunks(case_ids):
        query = sa.select(case_items.c.case_id, case_items.c.item_id).where(case_items.c.case_id.in_(chunk))
        found.update((row.case_id, row.item_id) for row in tx.conn.execute(query))
    return found
