"""What an appeal's outcome does: upheld changes nothing, reversed restores, modified lightens.

A modification may only lighten the contested decision: an appeal is the author's remedy, and must never
leave them worse off for having used it. The new decision takes effect at once: its reviewer is, by rule,
independent of the contested decision, which is what a second review would have asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from beffroi import ids
from beffroi.domain import AppealOutcome, Decision, DecisionAction, DecisionStatus
from beffroi.errors import InvalidRequest
from beffroi.review.grounds import Grounds

SEVERITY = {action: rank for rank, action in enumerate(DecisionAction)}  # allow ... report_authorities


@dataclass(frozen=True)
class Ruling:
    outcome: AppealOutcome
    statement: str
    action: DecisionAction | None = None  # the lighter action, for `modified`
    ground: str | None = None  # for `modified`: another ground; the contested one by default


def outcome_decision(
    ruling: Ruling, contested: Decision, appeal_id: str, reviewer: str, grounds: Grounds, now: datetime
) -> Decision | None:
    """The decision the ruling makes, superseding the contested one; None when the appeal is upheld."""
    if ruling.outcome is AppealOutcome.UPHELD:
        _no_action(ruling, "upheld")
        return None
    if ruling.outcome is AppealOutcome.REVERSED:
        _no_action(ruling, "reversed")
        action, ground = DecisionAction.ALLOW, None
    else:
        action = _lighter(ruling.action, contested.action)
        ground = grounds.require(ruling.ground) if ruling.ground else contested.ground
    return Decision(
        id=ids.new_id("dec"),
        case_id=contested.case_id,
        space=contested.space,
        action=action,
        ground=ground,
        statement=ruling.statement.strip(),
        item_ids=contested.item_ids,
        reviewer=reviewer,
        status=DecisionStatus.EFFECTIVE,
        created_at=now,
        appeal_id=appeal_id,
    )


def _no_action(ruling: Ruling, outcome: str) -> None:
    if ruling.action is not None or ruling.ground is not None:
        raise InvalidRequest(
            f"action: an appeal {outcome} takes no action or ground",
            hint="give an action only with outcome `modified`",
        )


def _lighter(action: DecisionAction | None, contested: DecisionAction) -> DecisionAction:
    lighter = [a.value for a in DecisionAction if 0 < SEVERITY[a] < SEVERITY[contested]]
    if action is None or action not in lighter:
        given = "missing" if action is None else f"{action.value} is not lighter than {contested.value}"
        raise InvalidRequest(
            f"action: {given}: a modified decision takes a lighter action",
            hint=f"choose one of: {', '.join(lighter) or 'none'}; to restore the content, use outcome reversed",
            details=[{"loc": "action", "message": "must be lighter", "valid": lighter}],
        )
    return action
