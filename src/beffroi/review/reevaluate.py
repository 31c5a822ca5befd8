"""Judging an item again when its notices change: the policy reads `notices`, so a rule such as
`notices >= 3 -> hide` must act when the third notice arrives. The stored signals are reused (no analyzer runs
again), and a verdict is appended only when the actions change, so the history shows what changed and when.
"""

from __future__ import annotations

from beffroi import audit
from beffroi.domain import ActionKind, Item, ItemStatus
from beffroi.policy.base import Policy
from beffroi.review import cases
from beffroi.store import items_store, notices_store
from beffroi.store.writer import Tx


def reevaluate(tx: Tx, item: Item, policy: Policy, actor: str, sla: cases.Sla) -> list[audit.AuditEvent]:
    """A pending item is left alone: the worker counts its notices when it judges it."""
    if item.status is not ItemStatus.ANALYSED:
        return []
    signals = items_store.signals_for(tx.conn, item.id)
    count = notices_store.counts(tx.conn, [item.id]).get(item.id, 0)
    verdict = policy.evaluate(item, signals, count)
    previous = items_store.verdict_for(tx.conn, item.id)
    if previous is not None and previous.actions == verdict.actions:
        return []
    items_store.record_verdict(tx, item.id, verdict)
    reason = "; ".join(verdict.reasons)
    requests = [cases.request_for(item, a, reason) for a in verdict.actions if a.kind is ActionKind.OPEN_CASE]
    return [audit.VerdictIssued.of(actor, item.id, verdict), *cases.open_or_join(tx, requests, actor, sla)]
