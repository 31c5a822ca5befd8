"""Items, signals and policies for the policy tests: real values, no mocks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from beffroi.domain import Author, Item, Signal, Source, Span
from beffroi.policy.engine import RulesPolicy
from beffroi.policy.loader import load_policy

LABELS = (
    "threat",
    "insult",
    "hate",
    "sexual_harassment",
    "toxicity",
    "language.fr",
    "language.en",
    "language.und",
)


def item(text: str = "bonjour", **context: Any) -> Item:
    return Item(
        id=f"item:{text}:{sorted(context.items())}",  # distinct per test input, stable across runs
        space="mairie",
        author=Author("42", handle="@alice"),
        source=Source("api", "r1"),
        text=text,
        published_at=None,
        received_at=datetime(2026, 1, 1, tzinfo=UTC),
        context=context,
    )


def signals(spans: dict[str, str] | None = None, **scores: float) -> list[Signal]:
    spans = spans or {}
    found = []
    for label, score in scores.items():
        span = (Span(0, len(spans[label]), spans[label]),) if label in spans else ()
        found.append(Signal(label, score, "keywords", "1", span))
    return found


def policy(rules: str, name: str = "test") -> RulesPolicy:
    return load_policy(f"name: {name}\nversion: 1\nrules:\n{rules}", "test.yaml", LABELS)


def kinds(actions: Any) -> list[str]:
    return [action.kind.value for action in actions]
