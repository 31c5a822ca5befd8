"""French and English keywords and patterns: the simple built-in text analyzer (docs/analyzers/keywords.md).

It knows words, not meaning: negation, quotation and irony are the trained text model's job.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Sequence

from beffroi.analyzers.base import Analyzer
from beffroi.analyzers.text.lexicon import Lexicon, LexiconMatch
from beffroi.domain import Item, Signal, Span


@functools.cache
def _lexicon() -> Lexicon:
    return Lexicon.load(("fr", "en"))


class KeywordAnalyzer(Analyzer):
    name = "keywords"
    version = "1"
    labels = ("threat", "insult", "hate", "sexual_harassment", "toxicity")

    def prepare(self) -> None:
        _lexicon()  # compiling the patterns takes seconds: once per process, before work arrives

    def analyze(self, items: Sequence[Item]) -> list[list[Signal]]:
        lexicon = _lexicon()
        return [self._signals(item.text, lexicon.match(item.text)) for item in items]

    def _signals(self, text: str, matches: list[LexiconMatch]) -> list[Signal]:
        by_label: dict[str, list[LexiconMatch]] = defaultdict(list)
        for match in matches:
            by_label[match.label].append(match)
        return [self._signal(text, label, found) for label, found in sorted(by_label.items())]

    def _signal(self, text: str, label: str, found: list[LexiconMatch]) -> Signal:
        # Independent pieces of evidence: the chance that none of them is real shrinks with each one.
        score = 1.0 - math.prod(1.0 - m.weight for m in found)
        spans = [Span(m.start, m.end, text[m.start : m.end]) for m in found]
        return self.signal(label, score, spans, {"entries": sorted({m.term for m in found})})
