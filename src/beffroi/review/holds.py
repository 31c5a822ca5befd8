"""Approving or rejecting a held item: only an admin of its space, never its author, each admin once.

When the approvals the hold requires are in, the item is published: a new verdict (policy `approval`,
action allow) is appended, and that is what sinks read from the verdict feed. A reject appends a remove
verdict instead. Everything happens in one write transaction, with its audit events.
"""

from __future__ import annotations

from beffroi import audit
from beffroi.access import Permission, Principal
from beffroi.domain import Action, ActionKind, Approval, ApprovalChoice, Publication, PublicationState, Verdict
from beffroi.errors import Conflict, Forbidden, NotFound
from beffroi.store import accounts_store, audit_log, holds_store, items_store
from beffroi.store.holds_store import HoldRecord
from beffroi.store.writer import Tx

POLICY = items_store.APPROVAL_POLICY  # the policy named by verdicts that approvals write


def decide(tx: Tx, caller: Principal, item_id: str, decision: ApprovalChoice, note: str | None) -> Publication:
    """Record the caller's decision on a held item; publish or reject it when that settles the hold."""
    _check_approver(tx, caller, item_id)
    hold = _open_hold(tx, caller, item_id)
    holds_store.add_approval(tx, hold.id, caller.member_id, decision, note)
    actor = f"member:{caller.member_id}"
    approvals = [*hold.publication.approved_by, Approval(caller.member_id, caller.name, decision, note, tx.now)]
    if decision is ApprovalChoice.REJECT:
        events = _reject(tx, hold, actor, caller, note)
    else:
        events = [audit.ApprovalGiven(actor, item_id, caller.member_id, note, len(approvals), _required(hold))]
        if len(approvals) >= _required(hold):
            events += _publish(tx, hold, actor, approvals)
    audit_log.append(tx, events)
    return holds_store.publication_of(tx.conn, item_id)


def _check_approver(tx: Tx, caller: Principal, item_id: str) -> None:
    item = items_store.get_item(tx.conn, item_id)
    # Outside the caller's spaces an item is reported missing, so ids reveal nothing.
    if item is None or not caller.can(Permission.ITEM_READ, item.space):
        raise NotFound(f"no item {item_id!r}")
    if not caller.can(Permission.ITEM_APPROVE, item.space):
        raise Forbidden(
            f"{caller.name} may not approve items in space {item.space!r}: only its admins do",
            hint="ask an admin of the space to approve it, or for the admin role there (beffroi member grant)",
        )
    account = f"{item.source.platform}:{item.author.id}"
    if accounts_store.owner_of(tx.conn, item.source.platform, item.author.id) == caller.member_id:
        raise Forbidden(
            f"{caller.name} is the author of item {item_id!r} (account {account} is linked to them): "
            "nobody approves their own post",
            hint="another admin of the space must decide on it",
        )


def _open_hold(tx: Tx, caller: Principal, item_id: str) -> HoldRecord:
    hold = holds_store.hold_for_decision(tx, item_id)
    if hold is None or hold.publication.state is not PublicationState.HELD:
        state = "was never held" if hold is None else f"is {hold.publication.state.value} already"
        raise Conflict(
            f"item {item_id!r} is not waiting for approval: it {state}",
            hint="only held items take approvals; GET /v1/holds lists those waiting",
        )
    if any(a.member_id == caller.member_id for a in hold.publication.approvals):
        given, required = len(hold.publication.approved_by), _required(hold)
        raise Conflict(
            f"{caller.name} has approved item {item_id!r} already ({given} of {required} approvals)",
            hint="each admin approves once: another admin of the space must give the next approval",
        )
    return hold


def _required(hold: HoldRecord) -> int:
    return hold.publication.approvals_required


def _publish(tx: Tx, hold: HoldRecord, actor: str, approvals: list[Approval]) -> list[audit.AuditEvent]:
    holds_store.decide(tx, hold.id, PublicationState.PUBLISHED)
    reasons = tuple(f"approved by {a.member_name}" + (f": {a.note}" if a.note else "") for a in approvals)
    verdict = Verdict(POLICY, (Action(ActionKind.ALLOW),), reasons)
    items_store.insert_verdicts(tx, [(hold.item_id, verdict)])
    return [
        audit.ItemPublished(actor, hold.item_id, [a.member_id for a in approvals]),
        audit.VerdictIssued.of(actor, hold.item_id, verdict),
    ]


def _reject(tx: Tx, hold: HoldRecord, actor: str, caller: Principal, note: str | None) -> list[audit.AuditEvent]:
    holds_store.decide(tx, hold.id, PublicationState.REJECTED)
    reason = f"publication rejected by {caller.name}" + (f": {note}" if note else "")
    verdict = Verdict(POLICY, (Action(ActionKind.REMOVE),), (reason,))
    items_store.insert_verdicts(tx, [(hold.item_id, verdict)])
    return [
        audit.PublicationRejected(actor, hold.item_id, caller.member_id, note),
        audit.VerdictIssued.of(actor, hold.item_id, verdict),
    ]
