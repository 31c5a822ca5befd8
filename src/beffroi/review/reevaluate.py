"""Judging an item again when its notices change: the policy reads `notices`, so a rule such as
`notices >= 3 -> hide` must act when the third notice arrives. The stored signals are reused (no analyzer runs
again), and a verdict is appended only when it takes the item down (hide, remove) beyond the verdict in force,
so the history shows what changed and when.

Notices only ever add restrictions: a re-evaluation never lifts a hold (that would publish an item no admin
approved) nor overrides a reviewer's decision (the notice joins a case for a person to look at instead).
"""

from __future__ import annotations

from beffroi import audit
from beffroi.domain import DISPOSITIONS, ActionKind, Item, ItemStatus, Verdict
from beffroi.policy.base import Policy
from beffroi.review import cases
from beffroi.store import items_store, notices_store
from beffroi.store.writer import Tx

TAKEDOWNS = (ActionKind.HIDE, ActionKind.REMOVE)


def reevaluate(tx: Tx, item: Item, policy: Policy, actor: str, sla: cases.Sla) -> list[audit.AuditEvent]:
    """A pending item is left alone: the worker counts its notices when it judges it."""
    if item.status is not ItemStatus.ANALYSED:
        return []
    previous = items_store.verdict_for(tx.conn, item.id)
    if previous is not None and previous.policy.startswith(items_store.DECISION_POLICY_PREFIX):
        return []  # a reviewer ruled: only another decision changes that
    signals = items_store.signals_for(tx.conn, item.id)
    count = notices_store.counts(tx.conn, [item.id]).get(item.id, 0)
    verdict = policy.evaluate(item, signals, count)
    if previous is not None and not _restricts_more(verdict, previous):
        return []
    items_store.insert_verdicts(tx, [(item.id, verdict)])
    reason = "; ".join(verdict.reasons)
    requests = [cases.request_for(item, a, reason) for a in verdict.actions if a.kind is ActionKind.OPEN_CASE]
    return [audit.VerdictIssued.of(actor, item.id, verdict), *cases.open_or_join(tx, requests, actor, sla)]


def _restricts_more(verdict: Verdict, previous: Verdict) -> bool:
    """Only a takedown (hide, remove) stronger than the verdict in force. Never a hold: a hold is a decision
    before publication, with a hold record its admins act on; after publication it would block the item with
    nobody able to release it."""
    if verdict.disposition not in TAKEDOWNS:
        return False
    return DISPOSITIONS.index(verdict.disposition) > DISPOSITIONS.index(previous.disposition)
