"""What a rule's condition sees: the facts about one item, built once per item and shared by every rule.

Every name here is documented in docs/policy.md ("What a condition sees"); keep the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cel

from beffroi.domain import Item, Signal

LANGUAGE_PREFIX = "language."
WATCHLIST_LABEL = "watchlist"
VARIABLES = ("signals", "item", "author", "context", "space", "watchlist_hits", "notices")
FUNCTIONS = ("score", "any_of", "spans")


def best_scores(signals: Sequence[Signal], known_labels: Iterable[str]) -> dict[str, float]:
    """The highest score per label over every analyzer; each known label is present, at 0.0 when unseen."""
    scores = dict.fromkeys(known_labels, 0.0)
    for signal in signals:
        if signal.score > scores.get(signal.label, -1.0):
            scores[signal.label] = float(signal.score)
    return scores


def span_texts(signals: Sequence[Signal]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for signal in signals:
        found.setdefault(signal.label, []).extend(span.text for span in signal.spans)
    return found


def watchlist_hits(signals: Sequence[Signal]) -> list[str]:
    """The protected people the item names: the watchlist step's signal (analyzers/watchlist.py) lists them."""
    return [str(name) for s in signals if s.label == WATCHLIST_LABEL for name in s.details.get("names", [])]


def variables(
    item: Item, scores: Mapping[str, float], notices: int = 0, watchlist_hits: Sequence[str] = ()
) -> dict[str, Any]:
    context = item.context
    return {
        "signals": dict(scores),
        "item": {
            "text": item.text,
            "length": len(item.text),
            "has_media": bool(item.attachments),
            "media_count": len(item.attachments),
            "language": _language(context, scores),
        },
        "author": {
            "id": item.author.id,
            "handle": item.author.handle or "",
            "role": str(context.get("author_role") or ""),
        },
        "context": {
            "audience_size": int(context.get("audience_size") or 0),
            "in_name_of_space": bool(context.get("in_name_of_space", False)),
            "reply_to": str(context.get("reply_to") or ""),
        },
        "space": item.space,
        "watchlist_hits": list(watchlist_hits),
        "notices": notices,
    }


def functions(scores: Mapping[str, float], spans: Mapping[str, list[str]]) -> dict[str, Callable[..., Any]]:
    def score(label: str) -> float:
        return scores.get(label, 0.0)

    def any_of(labels: list[str]) -> float:
        return max((scores.get(label, 0.0) for label in labels), default=0.0)

    def spans_of(label: str) -> list[str]:
        return spans.get(label, [])

    return {"score": score, "any_of": any_of, "spans": spans_of}


@dataclass(frozen=True)
class Needs:
    """What a policy's conditions can read: handing CEL only that is the cheap way to build a context, as the
    binding converts every value it is given (about 2 us an entry: most of a default-policy evaluation)."""

    variables: frozenset[str]
    labels: frozenset[str] | None  # None: a condition reads `signals` as a whole map (size, exists, a key in a name)

    @classmethod
    def of(cls, programs: Iterable[tuple[str, cel.Program]]) -> Needs:
        """From each condition's source and compiled program. Conservative: any use of `signals` other than
        `signals.label` or `signals["label"]` (even in a string) keeps the whole map."""
        names: set[str] = set()
        labels: set[str] | None = set()
        for source, program in programs:
            names.update(program.variables())
            if labels is not None and "signals" in program.variables():
                uses = _SIGNALS.findall(source)
                read = [m[0] or m[1] for m in _SIGNAL_READS.findall(source)]
                labels = labels | set(read) if len(read) == len(uses) else None
        return cls(frozenset(names) & frozenset(VARIABLES), None if labels is None else frozenset(labels))


EVERYTHING = Needs(frozenset(VARIABLES), None)
_SIGNALS = re.compile(r"\bsignals\b")
_SIGNAL_READS = re.compile(r"""\bsignals\s*(?:\.\s*([A-Za-z_]\w*)\b(?!\s*\()|\[\s*"([^"\\]*)"\s*\])""")


def context_for(
    item: Item, signals: Sequence[Signal], known_labels: Iterable[str], notices: int = 0, needs: Needs = EVERYTHING
) -> cel.Context:
    scores = best_scores(signals, known_labels)
    facts = variables(item, scores, notices, watchlist_hits(signals))
    if needs.labels is not None:
        facts["signals"] = {label: scores[label] for label in needs.labels if label in scores}
    kept = {name: value for name, value in facts.items() if name in needs.variables}
    return cel.Context(kept, functions(scores, span_texts(signals)))


def _language(context: Mapping[str, Any], scores: Mapping[str, float]) -> str:
    """The language the analyzers found most likely (`language.fr` -> "fr"), else what the source said."""
    best, best_score = "", 0.0
    for label, value in scores.items():
        if label.startswith(LANGUAGE_PREFIX) and value > best_score:
            best, best_score = label.removeprefix(LANGUAGE_PREFIX), value
    return best or str(context.get("language") or "und")
