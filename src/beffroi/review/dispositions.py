"""What a decision does to its items, written as a verdict: the sinks' feed already carries verdicts.

The first action is the disposition (allow, hide, remove), carrying the decision's id and action so a sink can
also act on the account (suspend_account, terminate_account). Reporting to the authorities takes the content
down and escalates it; a label keeps the content up under the ground's name.
"""

from __future__ import annotations

from beffroi.domain import Action, ActionKind, Decision, DecisionAction, Verdict
from beffroi.store import items_store

DISPOSITIONS = {
    DecisionAction.ALLOW: ActionKind.ALLOW,
    DecisionAction.LABEL: ActionKind.ALLOW,
    DecisionAction.HIDE: ActionKind.HIDE,
    DecisionAction.REMOVE: ActionKind.REMOVE,
    DecisionAction.SUSPEND_ACCOUNT: ActionKind.HIDE,
    DecisionAction.TERMINATE_ACCOUNT: ActionKind.REMOVE,
    DecisionAction.REPORT_AUTHORITIES: ActionKind.REMOVE,
}
AUTHORITIES = "authorities"


def policy_name(decision_id: str) -> str:
    """How a decision's verdicts name their author, in place of a policy's name@version."""
    return f"{items_store.DECISION_POLICY_PREFIX}{decision_id}"


def verdict_of(decision: Decision) -> Verdict:
    actions = [Action(DISPOSITIONS[decision.action], {"decision": decision.id, "action": decision.action.value})]
    if decision.action is DecisionAction.LABEL and decision.ground is not None:
        actions.append(Action(ActionKind.LABEL, {"label": decision.ground.key}))
    if decision.action is DecisionAction.REPORT_AUTHORITIES:
        actions.append(Action(ActionKind.ESCALATE, {"to": AUTHORITIES}))
    return Verdict(policy_name(decision.id), tuple(actions), _reasons(decision))


def _reasons(decision: Decision) -> tuple[str, ...]:
    ground = decision.ground
    basis = (
        "no ground: nothing to act on" if ground is None else f"{ground.key}: {ground.label_en} ({ground.reference})"
    )
    return (basis, decision.statement) if decision.statement else (basis,)
