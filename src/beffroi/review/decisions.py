"""Decisions: a reviewer holding a case's lock rules on it; the heaviest rulings wait for a second reviewer.

A decision is never edited or deleted. It is pending (no effect) until confirmed when it needs a second
reviewer, refused if the second reviewer disagrees, effective once applied, and superseded when a later
decision on its case (an appeal's) replaces it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from beffroi import audit, ids
from beffroi.access import Permission, Principal
from beffroi.domain import DISPOSITIONS, CaseStatus, Decision, DecisionAction, DecisionStatus, Ground, Item
from beffroi.errors import Conflict, Forbidden, InvalidRequest, NotFound
from beffroi.review import locks
from beffroi.review.decision_rules import DecisionRules
from beffroi.review.dispositions import DISPOSITIONS as DISPOSITION_OF
from beffroi.review.effects import take_effect
from beffroi.store import audit_log, decisions_store, items_store
from beffroi.store.decisions_store import CaseRef
from beffroi.store.schema import cases
from beffroi.store.writer import Tx


@dataclass(frozen=True)
class Proposal:
    action: DecisionAction
    ground: str | None
    statement: str
    items: Sequence[str] | None  # None: every item of the case


def propose(tx: Tx, case_id: str, proposal: Proposal, reviewer: Principal, rules: DecisionRules) -> Decision:
    case = decidable_case(tx, case_id, reviewer)
    ground = _ground(proposal, rules)
    items = _items(tx, case_id, proposal.items)
    _ready(tx, case, reviewer)
    _lifts_nothing(tx, case_id, proposal.action, [item.id for item in items])
    waits_for = rules.second_review.reasons(proposal.action, items)
    decision = Decision(
        id=ids.new_id("dec"),
        case_id=case_id,
        space=case.space,
        action=proposal.action,
        ground=ground,
        statement=proposal.statement.strip(),
        item_ids=tuple(item.id for item in items),
        reviewer=reviewer.member_id,
        status=DecisionStatus.PENDING if waits_for else DecisionStatus.EFFECTIVE,
        created_at=tx.now,
        second_review=waits_for,
    )
    decisions_store.insert(tx, decision)
    actor = f"member:{reviewer.member_id}"
    events: list[audit.AuditEvent] = [_proposed(actor, decision)]
    if waits_for:
        _freeze(tx, case_id)
    else:
        events.extend(take_effect(tx, decision, rules, actor))
    audit_log.append(tx, events)
    return _reloaded(tx, decision.id)


def _lifts_nothing(tx: Tx, case_id: str, action: DecisionAction, item_ids: list[str]) -> None:
    """A case opened later (a notice on an item already decided) may add a restriction, never lift one that a
    decision in force placed: undoing a decision is what an appeal is for, decided by someone independent."""
    rank = DISPOSITIONS.index(DISPOSITION_OF[action])
    for earlier in decisions_store.effective_elsewhere(tx.conn, item_ids, case_id):
        if DISPOSITIONS.index(DISPOSITION_OF[earlier.action]) > rank:
            raise Conflict(
                f"decision {earlier.id} ({earlier.action.value}, case {earlier.case_id}) is in force on this case's "
                f"items: a decision here may not lift it",
                hint="the author may appeal that decision (POST /v1/appeals); here decide as strictly or more",
            )


def confirm(tx: Tx, decision_id: str, reviewer: Principal, rules: DecisionRules) -> Decision:
    decision = _pending(tx, decision_id, reviewer, "confirm")
    moved = decisions_store.move(
        tx,
        decision.id,
        DecisionStatus.PENDING,
        status=DecisionStatus.EFFECTIVE.value,
        second_reviewer_id=reviewer.member_id,
        second_reviewed_at=tx.now,
    )
    if not moved:
        raise Conflict(f"decision {decision_id} was confirmed or refused meanwhile", hint="reload it")
    actor = f"member:{reviewer.member_id}"
    events: list[audit.AuditEvent] = [audit.DecisionConfirmed(actor, decision.id, decision.case_id)]
    events.extend(take_effect(tx, decision, rules, actor))
    audit_log.append(tx, events)
    return _reloaded(tx, decision.id)


def refuse(tx: Tx, decision_id: str, reviewer: Principal, note: str) -> Decision:
    """The second reviewer disagrees: the decision never takes effect and the case goes back to its queue."""
    decision = _pending(tx, decision_id, reviewer, "refuse")
    moved = decisions_store.move(
        tx,
        decision.id,
        DecisionStatus.PENDING,
        status=DecisionStatus.REFUSED.value,
        second_reviewer_id=reviewer.member_id,
        second_reviewed_at=tx.now,
        refusal_note=note.strip(),
    )
    if not moved:
        raise Conflict(f"decision {decision_id} was confirmed or refused meanwhile", hint="reload it")
    released = tx.conn.execute(
        cases.update()
        .where(cases.c.id == decision.case_id, cases.c.assigned_to == decision.reviewer)
        .values(assigned_to=None, locked_until=None)
    )  # the proposer's lock only: another reviewer may hold the case by now
    actor = f"member:{reviewer.member_id}"
    events: list[audit.AuditEvent] = [audit.DecisionRefused(actor, decision.id, decision.case_id, note.strip())]
    if released.rowcount:
        events.append(audit.CaseReleased(actor, decision.case_id))
    audit_log.append(tx, events)
    return _reloaded(tx, decision.id)


def decidable_case(tx: Tx, case_id: str, reviewer: Principal) -> CaseRef:
    """The case, if the reviewer may see it (404 otherwise, so ids reveal nothing) and decide in its space."""
    case = decisions_store.case_ref(tx.conn, case_id)
    if case is None or not reviewer.can(Permission.ITEM_READ, case.space):
        raise NotFound(f"no case {case_id!r}")
    reviewer.require(Permission.DECISION_MAKE, case.space)
    return case


def _ground(proposal: Proposal, rules: DecisionRules) -> Ground | None:
    if proposal.ground is None and proposal.action is not DecisionAction.ALLOW:
        raise InvalidRequest(
            f"ground: {proposal.action.value} needs a ground",
            hint=f"valid grounds: {', '.join(rules.grounds.keys())} (GET /v1/grounds)",
            details=[{"loc": "ground", "message": "required", "valid": rules.grounds.keys()}],
        )
    if proposal.action is not DecisionAction.ALLOW and not proposal.statement.strip():
        raise InvalidRequest(
            f"statement: {proposal.action.value} needs a statement of reasons",
            hint="say which facts the decision rests on and why they fall under the ground: the author receives it",
            details=[{"loc": "statement", "message": "required for every action but allow"}],
        )
    return None if proposal.ground is None else rules.grounds.require(proposal.ground)


def _items(tx: Tx, case_id: str, named: Sequence[str] | None) -> list[Item]:
    in_case = decisions_store.case_item_ids(tx.conn, case_id)
    chosen = list(dict.fromkeys(named)) if named is not None else in_case
    strangers = [item_id for item_id in chosen if item_id not in in_case]
    if strangers or not chosen:
        raise InvalidRequest(
            f"items: {', '.join(strangers) or 'none given'}: a decision covers items of its case",
            hint=f"the case's items: {', '.join(in_case)}; leave `items` out to decide on all of them",
            details=[{"loc": "items", "message": "not in the case", "valid": in_case}],
        )
    loaded = items_store.get_items(tx.conn, chosen)
    return [loaded[item_id] for item_id in chosen]


def _ready(tx: Tx, case: CaseRef, reviewer: Principal) -> None:
    case_id = case.id
    if case.status is not CaseStatus.OPEN:
        raise Conflict(
            f"case {case_id} is {case.status.value}: its decision changes only through an appeal",
            hint="see GET /v1/cases/{id}/decisions for the decision in force",
        )
    pending = decisions_store.in_status(tx.conn, case_id, DecisionStatus.PENDING)
    if pending is not None:
        raise Conflict(
            f"decision {pending.id} on case {case_id} waits for a second reviewer",
            hint=f"another reviewer confirms or refuses it first: POST /v1/decisions/{pending.id}/confirm or /refuse",
        )
    if not locks.holds_lock(tx.conn, case_id, reviewer.member_id, tx.now):
        raise Conflict(
            f"you do not hold the lock on case {case_id}",
            hint=f"claim the case first (POST /v1/cases/{case_id}/claim), then decide while the lock is yours",
        )


def _pending(tx: Tx, decision_id: str, reviewer: Principal, verb: str) -> Decision:
    decision = decisions_store.get(tx.conn, decision_id)
    if decision is None or not reviewer.can(Permission.ITEM_READ, decision.space):
        raise NotFound(f"no decision {decision_id!r}")
    reviewer.require(Permission.DECISION_MAKE, decision.space)
    if decision.status is not DecisionStatus.PENDING:
        raise Conflict(f"decision {decision_id} is {decision.status.value}: there is nothing to {verb}")
    if decision.reviewer == reviewer.member_id:
        raise Forbidden(
            f"you proposed decision {decision_id}: a second reviewer, never the first, must {verb} it",
            hint="ask another reviewer of the space",
        )
    return decision


def _freeze(tx: Tx, case_id: str) -> None:
    # While it waits, later items of the group open a new case: the decision covers what its reviewer saw.
    tx.conn.execute(cases.update().where(cases.c.id == case_id).values(open_group=None))


def _proposed(actor: str, decision: Decision) -> audit.DecisionProposed:
    return audit.DecisionProposed(
        actor,
        decision.id,
        decision.case_id,
        decision.action.value,
        decision.ground.key if decision.ground else None,
        decision.statement,
        list(decision.item_ids),
        list(decision.second_review),
    )


def _reloaded(tx: Tx, decision_id: str) -> Decision:
    decision = decisions_store.get(tx.conn, decision_id)
    assert decision is not None
    return decision
