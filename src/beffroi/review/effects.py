"""A decision taking effect: it supersedes the one before, its verdicts reach the sinks, its case is decided,
notifiers learn the outcome, and each author gets a statement of reasons with an appeal code.

All of it runs in the caller's transaction, so a decision is never half applied.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import sqlalchemy as sa

from beffroi import audit
from beffroi.domain import ActionKind, CaseStatus, Decision, DecisionStatus, Item
from beffroi.legal.statements import Appealable, Circumstances, outcome_for_notifier, restricts, statement_of_reasons
from beffroi.review import appeal_codes, outbox
from beffroi.review.decision_rules import DecisionRules
from beffroi.review.dispositions import verdict_of
from beffroi.store import decisions_store, items_store
from beffroi.store.schema import cases, notices, statements, verdicts
from beffroi.store.writer import Tx


def take_effect(tx: Tx, decision: Decision, rules: DecisionRules, actor: str) -> list[audit.AuditEvent]:
    """Apply a decision whose status has just become effective; returns the audit events to append."""
    decision = _supersede(tx, decision)
    items = list(items_store.get_items(tx.conn, decision.item_ids).values())
    verdict = verdict_of(decision)
    items_store.insert_verdicts(tx, [(item.id, verdict) for item in items])
    events: list[audit.AuditEvent] = [
        audit.VerdictIssued(
            actor, item.id, verdict.policy, [a.kind.value for a in verdict.actions], list(verdict.reasons), [], []
        )
        for item in items
    ]
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
