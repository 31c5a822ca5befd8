"""Backtests: run a candidate policy over items and their signals and report what would change. Pure.

`compare` takes the verdict each item got before (stored verdicts, to replay what really happened), `backtest`
computes it with an old policy. Nothing is stored or applied either way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from beffroi.domain import DISPOSITIONS, Action, ActionKind, Item, Signal, Verdict
from beffroi.policy.base import Policy

STORED_VERDICTS = "stored verdicts"


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
    changed: int  # items whose actions differ
    changes: tuple[Change, ...]  # those items in input order: all of them, or the first `sample`
    transitions: dict[str, int] = field(default_factory=dict)  # "allow->hold" -> items whose disposition moved so
    rules: dict[str, int] = field(default_factory=dict)  # rule -> items it fired on, under the new policy
    shadow: dict[str, int] = field(default_factory=dict)  # shadow rule -> items it matched: counted, never acting

    def summary(self) -> str:
        kinds = sorted(set(self.actions_before) | set(self.actions_after))
        counts = ", ".join(f"{k} {self.actions_before.get(k, 0)}->{self.actions_after.get(k, 0)}" for k in kinds)
        return f"{self.old_policy} -> {self.new_policy}: {self.changed}/{self.items} items change ({counts})"


def compare(
    new_policy: Policy,
    decided: Iterable[tuple[Item, Sequence[Signal], Verdict]],
    *,
    old_policy: str = STORED_VERDICTS,
    sample: int | None = None,
) -> BacktestReport:
    """Evaluate `new_policy` on each (item, signals, verdict it got) and tally the differences."""
    tally = _Tally(sample)
    for item, signals, before in decided:
        tally.add(item.id, before, new_policy.evaluate(item, signals))
    return tally.report(old_policy, new_policy.name)


def backtest(
    old_policy: Policy,
    new_policy: Policy,
    items_with_signals: Iterable[tuple[Item, Sequence[Signal]]],
    *,
    sample: int | None = None,
) -> BacktestReport:
    decided = ((item, signals, old_policy.evaluate(item, signals)) for item, signals in items_with_signals)
    return compare(new_policy, decided, old_policy=old_policy.name, sample=sample)


def disposition(actions: Sequence[Action]) -> ActionKind:
    """The strongest of allow, hold, hide, remove among the actions; allow when none is there."""
    found = [action.kind for action in actions if action.kind in DISPOSITIONS]
    return max(found, key=DISPOSITIONS.index, default=ActionKind.ALLOW)


class _Tally:
    def __init__(self, sample: int | None):
        self.sample = sample
        self.items = self.changed = 0
        self.before: Counter[str] = Counter()
        self.after: Counter[str] = Counter()
        self.transitions: Counter[str] = Counter()
        self.rules: Counter[str] = Counter()
        self.shadow: Counter[str] = Counter()
        self.changes: list[Change] = []

    def add(self, item_id: str, before: Verdict, after: Verdict) -> None:
        self.items += 1
        self.before.update(_kinds(before.actions))
        self.after.update(_kinds(after.actions))
        self.rules.update(after.rules)
        self.shadow.update(firing.rule for firing in after.shadow)
        if before.actions == after.actions:
            return
        self.changed += 1
        moved = (disposition(before.actions), disposition(after.actions))
        if moved[0] != moved[1]:
            self.transitions[f"{moved[0].value}->{moved[1].value}"] += 1
        if self.sample is None or len(self.changes) < self.sample:
            self.changes.append(Change(item_id, before, after))

    def report(self, old_policy: str, new_policy: str) -> BacktestReport:
        return BacktestReport(
            old_policy,
            new_policy,
            self.items,
            dict(self.before),
            dict(self.after),
            self.changed,
            tuple(self.changes),
            dict(self.transitions),
            dict(self.rules),
            dict(self.shadow),
        )


def _kinds(actions: Sequence[Action]) -> set[str]:
    return {action.kind.value for action in actions}
