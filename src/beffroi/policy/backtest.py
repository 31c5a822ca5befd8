"""Backtests: run two policies over the same items and signals and report what would change. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from beffroi.domain import Action, Item, Signal, Verdict
from beffroi.policy.base import Policy


@dataclass(frozen=True)
class Change:
    item_id: str
    before: Verdict
    after: Verdict


@dataclass(frozen=True)
class BacktestReport:
    old_policy: str
    new_policy: str
    items: int
    actions_before: dict[str, int]  # action kind -> how many items got it
    actions_after: dict[str, int]
    changes: tuple[Change, ...]  # items whose actions differ, in input order

    def summary(self) -> str:
        kinds = sorted(set(self.actions_before) | set(self.actions_after))
        counts = ", ".join(f"{k} {self.actions_before.get(k, 0)}->{self.actions_after.get(k, 0)}" for k in kinds)
        return f"{self.old_policy} -> {self.new_policy}: {len(self.changes)}/{self.items} items change ({counts})"


def backtest(
    old_policy: Policy, new_policy: Policy, items_with_signals: Iterable[tuple[Item, Sequence[Signal]]]
) -> BacktestReport:
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    changes: list[Change] = []
    count = 0
    for item, signals in items_with_signals:
        count += 1
        old, new = old_policy.evaluate(item, signals), new_policy.evaluate(item, signals)
        before.update(_kinds(old.actions))
        after.update(_kinds(new.actions))
        if old.actions != new.actions:
            changes.append(Change(item.id, old, new))
    return BacktestReport(old_policy.name, new_policy.name, count, dict(before), dict(after), tuple(changes))


def _kinds(actions: Sequence[Action]) -> set[str]:
    return {action.kind.value for action in actions}
