"""French/English keyword-and-pattern lexicon: the built-in text analyzer's matcher.

It ships before the trained model exists and stays as an explainable floor under it:
every match names the term that fired and the span of the original text. It does not
understand negation, sarcasm or context ("je ne vais pas te tuer" still matches);
that is the trained model's job. See docs/analyzers/keywords.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files

from beffroi.analyzers.text.folding import FoldedText, fold
from beffroi.analyzers.text.lexicon_dispatch import dispatch, entry_index
from beffroi.analyzers.text.lexicon_format import Entry, ParsedLexicon, parse

_DATA_PACKAGE = "beffroi.analyzers.text"
_DATA_DIRECTORY = "lexicon_data"


@dataclass(frozen=True)
class LexiconMatch:
    """One lexicon hit: start/end are character offsets into the original text."""

    label: str
    term: str
    start: int
    end: int
    weight: float


class Lexicon:
    """Compiled lexicon: one regex for all entries, one for exceptions.

    Compiling takes a second or two; build one Lexicon per process and share it.
    """

    def __init__(self, entries: Sequence[Entry], exceptions: Sequence[str]) -> None:
        # Where several entries could match at one place, the one with most words wins:
        # "you fucking retard" reports the slur, not only the profanity inside it.
        self._entries = tuple(sorted(entries, key=_specificity))
        self._pattern = _alternation([dispatch(self._entries)])
        self._exceptions = _alternation(exceptions) if exceptions else None

    @classmethod
    def load(cls, languages: Sequence[str] = ("fr", "en")) -> Lexicon:
        """Load the data files packaged for `languages` (lexicon_data/<language>.txt)."""
        parsed = [_parse_packaged(language) for language in languages]
        return cls._merge(parsed)

    @classmethod
    def from_lines(cls, lines: Iterable[str], source: str) -> Lexicon:
        """Parse lines in the lexicon format; a bad line raises ValueError naming source:line."""
        return cls._merge([parse(lines, source)])

    @classmethod
    def _merge(cls, parsed: Sequence[ParsedLexicon]) -> Lexicon:
        entries = [entry for one in parsed for entry in one.entries]
        exceptions = [exception for one in parsed for exception in one.exceptions]
        return cls(entries, exceptions)

    @property
    def entries(self) -> tuple[Entry, ...]:
        """The compiled entries, most specific first (for listings and tests)."""
        return self._entries

    def match(self, text: str) -> list[LexiconMatch]:
        """Every entry that matches `text`, minus those overlapping an exception."""
        folded = fold(text)
        found = [self._to_match(m, folded) for m in self._pattern.finditer(folded.text)]
        if not found or self._exceptions is None:
            return found
        vetoed = [m.span() for m in self._exceptions.finditer(folded.text)]
        return [match for match in found if not _overlaps(match, vetoed, folded)]

    def _to_match(self, found: re.Match[str], folded: FoldedText) -> LexiconMatch:
        # Each entry ends in its own empty named group, the last group to close.
        entry = self._entries[entry_index(str(found.lastgroup))]
        start, end = folded.original_span(found.start(), found.end())
        return LexiconMatch(entry.label, entry.term, start, end, entry.weight)


def _specificity(entry: Entry) -> tuple[int, int]:
    return -len(entry.tokens), -len(entry.regex)


def _alternation(regexes: Iterable[str]) -> re.Pattern[str]:
    # One pass over the text for all entries: per-entry loops would not reach the
    # throughput the pipeline needs. Whole words only: "con" never hits "conseil".
    return re.compile(r"(?<!\w)(?:" + "|".join(regexes) + r")(?!\w)", re.IGNORECASE)


def _parse_packaged(language: str) -> ParsedLexicon:
    if not language.isalpha():  # a language code, never a path
        raise ValueError(f"language must be a code such as 'fr', not {language!r}")
    resource = files(_DATA_PACKAGE).joinpath(_DATA_DIRECTORY, f"{language}.txt")
    if not resource.is_file():
        raise ValueError(f"no lexicon for language {language!r} ({_DATA_DIRECTORY}/{language}.txt)")
    text = resource.read_text(encoding="utf-8")
    return parse(text.splitlines(), f"{_DATA_DIRECTORY}/{language}.txt")


def _overlaps(match: LexiconMatch, vetoed: list[tuple[int, int]], folded: FoldedText) -> bool:
    spans = (folded.original_span(start, end) for start, end in vetoed)
    return any(start < match.end and match.start < end for start, end in spans)
