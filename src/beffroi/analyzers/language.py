"""Language identification with lingua, restricted to the languages a French or English community meets."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from beffroi.analyzers.base import Analyzer
from beffroi.domain import Item, Signal

# A closed set is faster and more accurate on short posts than all 75 languages lingua knows.
LANGUAGES = (
    Language.FRENCH,
    Language.ENGLISH,
    Language.GERMAN,
    Language.SPANISH,
    Language.ITALIAN,
    Language.PORTUGUESE,
    Language.DUTCH,
    Language.ARABIC,
    Language.TURKISH,
    Language.POLISH,
    Language.RUSSIAN,
)
MIN_LETTERS = 3  # below this no detector is better than a guess


@functools.cache
def _detector() -> LanguageDetector:
    # Loading the models takes seconds and hundreds of MB: once per process, shared by every worker thread.
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_preloaded_language_models().build()


class LanguageAnalyzer(Analyzer):
    name = "language"
    version = "1"
    labels = (*(f"language.{lang.iso_code_639_1.name.lower()}" for lang in LANGUAGES), "language.und")

    def prepare(self) -> None:
        _detector()

    def analyze(self, items: Sequence[Item]) -> list[list[Signal]]:
        return [[self._identify(item.text)] for item in items]

    def _identify(self, text: str) -> Signal:
        if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
            return self.signal("language.und", 1.0)
        best = _detector().compute_language_confidence_values(text)[0]
        code = best.language.iso_code_639_1.name.lower()
        return self.signal(f"language.{code}", best.value)
