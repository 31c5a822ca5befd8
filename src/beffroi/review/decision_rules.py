"""What decisions must satisfy in this installation: the grounds, who needs a second reviewer, the appeal period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from beffroi.domain import DecisionAction, Item
from beffroi.errors import ConfigError
from beffroi.review.grounds import Grounds, build_grounds
from beffroi.settings import Settings

OFFICIAL = "author_is_official"  # the item context field platforms (later, watchlists) set for officials


@dataclass(frozen=True)
class SecondReview:
    """Four eyes on the heaviest decisions: these take effect only once another reviewer confirms them."""

    always: frozenset[DecisionAction]
    for_officials: frozenset[DecisionAction]  # when an item's author is an elected official or public figure

    @classmethod
    def from_settings(cls, settings: Settings) -> SecondReview:
        return cls(
            _actions(settings.second_review_actions, "BEFFROI_SECOND_REVIEW_ACTIONS"),
            _actions(settings.second_review_official_actions, "BEFFROI_SECOND_REVIEW_OFFICIAL_ACTIONS"),
        )

    def reasons(self, action: DecisionAction, items: Sequence[Item]) -> tuple[str, ...]:
        """Why this decision must wait for a second reviewer; empty when it may take effect at once."""
        why = []
        if action in self.always:
            why.append(f"{action.value} always needs a second reviewer")
        officials = [item.id for item in items if item.context.get(OFFICIAL) is True]
        if action in self.for_officials and officials:
            why.append(f"{action.value} of content by an elected official or public figure: {', '.join(officials)}")
        return tuple(why)


@dataclass(frozen=True)
class DecisionRules:
    grounds: Grounds
    second_review: SecondReview
    appeal_period: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> DecisionRules:
        return cls(build_grounds(settings.grounds_file), SecondReview.from_settings(settings), settings.appeal_period)


def _actions(listed: str, setting: str) -> frozenset[DecisionAction]:
    names = [name.strip() for name in listed.split(",") if name.strip()]
    valid = [action.value for action in DecisionAction]
    unknown = [name for name in names if name not in valid]
    if unknown:
        raise ConfigError(
            f"{setting}: unknown decision action(s) {', '.join(unknown)}", hint=f"actions are: {', '.join(valid)}"
        )
    return frozenset(DecisionAction(name) for name in names)
