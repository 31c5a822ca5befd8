"""A space's approval requirement, laid over whatever policy judged the item.

The wrapped policy decides as it always does; when the item's space requires approval for it (its author's
role, its account, or a post in the space's name), the verdict is held at least: `combine` keeps a stronger
disposition (hide, remove) and adds a hold to anything weaker. Still pure: the requirements are data given
at construction, so the same item and signals always give the same verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from beffroi.domain import Action, ActionKind, Item, Signal, Verdict
from beffroi.policy.base import Policy
from beffroi.policy.engine import NOTHING_FIRED, combine
from beffroi.space_settings import ApprovalSettings

RULE = "space.approval"


class ApprovalRequired(Policy):
    def __init__(self, inner: Policy, requirements: Mapping[str, ApprovalSettings]):
        self.inner = inner
        self.requirements = requirements  # space id -> its approval section
        self.name = inner.name

    def evaluate(self, item: Item, signals: Sequence[Signal], notices: int = 0) -> Verdict:
        verdict = self.inner.evaluate(item, signals, notices)
        requirement = self.requirements.get(item.space)
        why = requirement.why_held(item) if requirement is not None else None
        return verdict if why is None else held_for_approval(verdict, why)


def held_for_approval(verdict: Verdict, why: str) -> Verdict:
    """The verdict with a hold added, the rule named and the reason given."""
    reasons = tuple(r for r in verdict.reasons if r != NOTHING_FIRED)
    return Verdict(
        verdict.policy,
        combine((*verdict.actions, Action(ActionKind.HOLD))),
        (*reasons, f"{RULE}: {why}"),
        (*verdict.rules, RULE),
        verdict.shadow,
    )
