"""A decision taking effect: it supersedes the one before, its verdicts reach the sinks, its case is decided,
notifiers learn the outcome, and each author gets a statement of reasons with an appeal code.

All of it runs in the caller's transaction, so a decision is never half applied.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import sqlalchemy as sa

from beffroi import audit
from beffroi.domain import (
    DISPOSITIONS,
    Action,
    ActionKind,
    CaseStatus,
    Decision,
    DecisionStatus,
    Item,
    PublicationState,
    Verdict,
)
from beffroi.legal.statements import Appealable, Circumstances, outcome_for_notifier, restricts, statement_of_reasons
from beffroi.policy.approval import RULE as APPROVAL_RULE
from beffroi.review import appeal_codes, outbox
from beffroi.review.decision_rules import DecisionRules
from beffroi.review.dispositions import verdict_of
from beffroi.store import decisions_store, holds_store, items_store
from beffroi.store.schema import cases, notices, statements, verdicts
from beffroi.store.writer import Tx


def take_effect(tx: Tx, decision: Decision, rules: DecisionRules, actor: str) -> list[audit.AuditEvent]:
    """Apply a decision whose status has just become effective; returns the audit events to append."""
    decision = _supersede(tx, decision)
    items = list(items_store.get_items(tx.conn, decision.item_ids).values())
    given, events = _respecting_holds(tx, items, verdict_of(decision), decision, actor)
    items_store.insert_verdicts(tx, given)
    events += [audit.VerdictIssued.of(actor, item_id, verdict) for item_id, verdict in given]
    _close_case(tx, decision.case_id)
    told = _tell_notifiers(tx, decision)
    authors = _send_statements(tx, decision, items, rules) if decision.appeal_id is None else []
    events.append(
        audit.DecisionTookEffect(
            actor,
            decision.id,
            decision.case_id,
            decision.action.value,
            list(decision.item_ids),
            decision.supersedes,
            told,
            authors,
        )
    )
    return events


def _respecting_holds(
    tx: Tx, items: Sequence[Item], verdict: Verdict, decision: Decision, actor: str
) -> tuple[list[tuple[str, Verdict]], list[audit.AuditEvent]]:
    """A decision on a held item settles its hold, except where the space requires its admins' approval before
    publication (docs/holds.md): there an allow leaves the item held, its verdict still a hold, so that no
    platform publishes on a reviewer's word what waits for four eyes. A restriction ends any hold: the item
    will not be published."""
    given: list[tuple[str, Verdict]] = []
    events: list[audit.AuditEvent] = []
    for item in items:
        hold = holds_store.hold_for_decision(tx, item.id)
        state = hold.publication.state if hold is not None else None
        if hold is None or state is PublicationState.PUBLISHED:
            given.append((item.id, verdict))
        elif verdict.disposition is not ActionKind.ALLOW:
            if state is PublicationState.HELD:
                holds_store.decide(tx, hold.id, PublicationState.REJECTED)
                note = f"decision {decision.id}: {decision.action.value}"
                events.append(audit.PublicationRejected(actor, item.id, decision.reviewer, note))
            given.append((item.id, verdict))
        elif _awaits_admins(tx, item.id):
            # An allow (a first decision, or an appeal restoring the item) puts it back before its admins.
            if state is PublicationState.REJECTED:
                holds_store.decide(tx, hold.id, PublicationState.HELD)
            others = tuple(a for a in verdict.actions if a.kind not in DISPOSITIONS)
            waiting = "still held: the space requires its admins' approval before publication"
            given.append(
                (item.id, Verdict(verdict.policy, (Action(ActionKind.HOLD), *others), (*verdict.reasons, waiting)))
            )
        else:
            holds_store.decide(tx, hold.id, PublicationState.PUBLISHED)
            events.append(audit.ItemPublished(actor, item.id, [decision.reviewer]))
            given.append((item.id, verdict))
    return given, events


def _awaits_admins(tx: Tx, item_id: str) -> bool:
    """Whether the hold came from the space's approval requirement, not from a rule a reviewer answers."""
    judged = items_store.latest_verdicts(tx.conn, [item_id]).get(item_id)
    return judged is not None and APPROVAL_RULE in judged.rules


def _supersede(tx: Tx, decision: Decision) -> Decision:
    previous = [d for d in decisions_store.of_case(tx.conn, decision.case_id) if d.status is DecisionStatus.EFFECTIVE]
    replaced = next((d.id for d in previous if d.id != decision.id), None)
    if replaced is not None:
        decisions_store.move(
            tx, replaced, DecisionStatus.EFFECTIVE, status=DecisionStatus.SUPERSEDED.value, superseded_by=decision.id
        )
    decisions_store.move(tx, decision.id, DecisionStatus.EFFECTIVE, effective_at=tx.now, supersedes=replaced)
    return dataclasses.replace(decision, status=DecisionStatus.EFFECTIVE, effective_at=tx.now, supersedes=replaced)


def _close_case(tx: Tx, case_id: str) -> None:
    # open_group NULL: a later item of the same group opens a new case instead of joining a decided one.
    tx.conn.execute(
        cases.update()
        .where(cases.c.id == case_id)
        .values(
            status=CaseStatus.DECIDED.value,
            open_group=None,
            assigned_to=None,
            locked_until=None,
            closed_at=sa.func.coalesce(cases.c.closed_at, tx.now),
        )
    )


def _tell_notifiers(tx: Tx, decision: Decision) -> list[str]:
    """Every notice on the case gets the outcome, again when a later decision supersedes the first."""
    found = tx.conn.execute(
        sa.select(notices.c.id, notices.c.item_id).where(notices.c.case_id == decision.case_id)
    ).all()
    outcome = outcome_for_notifier(decision)
    for notice in found:
        tx.conn.execute(
            notices.update()
            .where(notices.c.id == notice.id)
            .values(status="decided", outcome=outcome, decided_at=tx.now)
        )
    outbox.send(
        tx,
        [
            outbox.Notification(
                "notice.outcome",
                "notifier",
                notice.id,
                decision.space,
                decision.id,
                {"notice_id": notice.id, "item_id": notice.item_id, **outcome},
            )
            for notice in found
        ],
    )
    return [notice.id for notice in found]


def _send_statements(tx: Tx, decision: Decision, items: Sequence[Item], rules: DecisionRules) -> list[str]:
    """One statement of reasons per author of the items, each with its own appeal code (only the hash kept)."""
    if not restricts(decision.action):
        return []
    assert decision.effective_at is not None
    circumstances = _circumstances(tx, decision, items)
    until = decision.effective_at + rules.appeal_period
    by_author: dict[str, list[Item]] = {}
    for item in items:
        by_author.setdefault(f"{item.source.platform}:{item.author.id}", []).append(item)
    outgoing = []
    for author, theirs in by_author.items():
        code = appeal_codes.new_code()
        tx.conn.execute(
            statements.insert().values(
                decision_id=decision.id, author=author, code_hash=appeal_codes.code_hash(code), created_at=tx.now
            )
        )
        body = statement_of_reasons(decision, theirs, circumstances, Appealable(until, code))
        outgoing.append(outbox.Notification("decision.statement", "author", author, decision.space, decision.id, body))
    outbox.send(tx, outgoing)
    return list(by_author)


def _circumstances(tx: Tx, decision: Decision, items: Sequence[Item]) -> Circumstances:
    trusted = tx.conn.execute(sa.select(notices.c.trusted).where(notices.c.case_id == decision.case_id)).scalars().all()
    source = "SOURCE_TRUSTED_NOTIFIER" if any(trusted) else "SOURCE_ARTICLE_16" if trusted else "SOURCE_VOLUNTARY"
    return Circumstances(source, _flagged_by_rules(tx, [item.id for item in items]))


def _flagged_by_rules(tx: Tx, item_ids: list[str]) -> bool:
    """Automated detection: a policy verdict (not a reviewer's) sent one of the items to review."""
    query = sa.select(verdicts.c.actions).where(verdicts.c.item_id.in_(item_ids), items_store.by_policy())
    return any(
        action.get("kind") == ActionKind.OPEN_CASE.value for (actions,) in tx.conn.execute(query) for action in actions
    )
