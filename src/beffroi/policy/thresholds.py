"""The default policy until a space has rules: thresholds on the harm labels, explained in its reasons."""

from __future__ import annotations

from collections.abc import Sequence

from beffroi.domain import Action, ActionKind, Item, Signal, Verdict
from beffroi.policy.base import Policy

HARM_LABELS = frozenset({"threat", "hate", "insult", "sexual_harassment", "toxicity"})


class ThresholdPolicy(Policy):
    name = "default-thresholds@1"

    def __init__(self, review_threshold: float, hold_threshold: float):
        self.review_threshold = review_threshold
        self.hold_threshold = hold_threshold

    def evaluate(self, item: Item, signals: Sequence[Signal], notices: int = 0) -> Verdict:
        harmful = [s for s in signals if s.label in HARM_LABELS and s.score >= self.review_threshold]
        if not harmful:
            return Verdict(self.name, (Action(ActionKind.ALLOW),), ("no harm signal reached the review threshold",))
        worst = max(harmful, key=lambda s: s.score)
        reasons = tuple(_reason(s, self._threshold_for(s)) for s in sorted(harmful, key=lambda s: -s.score))
        case = Action(ActionKind.OPEN_CASE, {"queue": worst.label, "priority": round(worst.score * 100)})
        if worst.score >= self.hold_threshold:
            return Verdict(self.name, (Action(ActionKind.HOLD), case), reasons)
        return Verdict(self.name, (case,), reasons)

    def _threshold_for(self, signal: Signal) -> tuple[str, float]:
        if signal.score >= self.hold_threshold:
            return "hold", self.hold_threshold
        return "review", self.review_threshold


def _reason(signal: Signal, threshold: tuple[str, float]) -> str:
    evidence = ", ".join(repr(span.text) for span in signal.spans[:3])
    found = f" in {evidence}" if evidence else ""
    return f"{signal.analyzer}: {signal.label} {signal.score:.2f} >= {threshold[0]} threshold {threshold[1]:.2f}{found}"
