"""RulesPolicy: every rule is evaluated in order; the actions of the rules that fire are combined.

Combination (docs/policy.md, "Precedence"):
- exactly one disposition comes first: the strongest that fired, remove > hide > hold > allow;
  allow when no rule asked for more;
- then the other actions in the order the rules give them, each once: one label per name, one case
  per queue (at the highest priority asked), one escalation or notification per recipient;
- shadow rules are evaluated and recorded in Verdict.shadow, never in the actions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from beffroi.domain import DISPOSITIONS, Action, ActionKind, Item, ShadowFiring, Signal, Verdict
from beffroi.policy import facts
from beffroi.policy.base import Policy
from beffroi.policy.rules import Rule

NOTHING_FIRED = "no rule matched"


class RulesPolicy(Policy):
    def __init__(self, name: str, rules: Sequence[Rule], known_labels: Collection[str]):
        self.name = name
        self.rules = tuple(rules)
        self.known_labels = tuple(sorted(known_labels))
        self.needs = facts.Needs.of((rule.when, rule.program) for rule in self.rules)

    def evaluate(self, item: Item, signals: Sequence[Signal], notices: int = 0) -> Verdict:
        context = facts.context_for(item, signals, self.known_labels, notices, self.needs)
        fired: list[Rule] = []
        shadow: list[ShadowFiring] = []
        errors: list[str] = []
        for rule in self.rules:
            try:
                matched = rule.program.execute(context) is True
            except Exception as exc:  # a rule that breaks on odd data must not sink the whole verdict
                errors.append(f"{rule.name}: not evaluated ({str(exc).splitlines()[0] if str(exc) else exc!r})")
                continue
            if matched and rule.shadow:
                shadow.append(ShadowFiring(rule.name, rule.actions, rule.reason))
            elif matched:
                fired.append(rule)
        reasons = tuple(rule.reason for rule in fired) or (NOTHING_FIRED,)
        actions = combine(action for rule in fired for action in rule.actions)
        return Verdict(self.name, actions, reasons + tuple(errors), tuple(r.name for r in fired), tuple(shadow))


def combine(actions: Iterable[Action]) -> tuple[Action, ...]:
    strongest = ActionKind.ALLOW
    others: dict[tuple[object, ...], Action] = {}
    for action in actions:
        if action.kind in DISPOSITIONS:
            strongest = max(strongest, action.kind, key=DISPOSITIONS.index)
        else:
            _merge(others, action)
    return (Action(strongest), *others.values())


def _merge(others: dict[tuple[object, ...], Action], action: Action) -> None:
    if action.kind is ActionKind.OPEN_CASE:
        key: tuple[object, ...] = (action.kind, action.params["queue"])
        earlier = others.get(key)
        if earlier is None or earlier.params["priority"] < action.params["priority"]:
            others[key] = action
        return
    others.setdefault((action.kind, *sorted(action.params.items())), action)
