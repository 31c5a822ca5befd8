"""Watchlist hits: which protected people of its space (elected officials, staff) an item names.

Each space keeps its own list (space settings, `watchlist`), so this is not a registry analyzer: the worker
runs it with the item's space settings and adds its signal to the analyzers' before the policy judges. The
signal is stored like any other, so the API shows where each name was found, and the policy reads the names
as `watchlist_hits`. Names are matched on folded text (accents, case, obfuscation: analyzers/text/folding.py)
as whole words, and one typo away for words of five letters or more; handles as written, without case.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from beffroi.analyzers.text.folding import fold, fold_term
from beffroi.domain import Item, Signal, Span
from beffroi.space_settings import WatchedPerson

NAME = "watchlist"
VERSION = "1"
LABEL = "watchlist"  # what policy/facts.py reads as `watchlist_hits`
PROTECTED_LABEL = "threat.protected_person"  # a threat or insult in an item that names a protected person
AIMED_LABELS = ("threat", "insult")
AIMED_MIN_SCORE = 0.5
MISSPELT_MIN_LENGTH = 5  # words this long may be matched one typo away
_WORD = re.compile(r"\w+")


def watchlist_signal(item: Item, people: Sequence[WatchedPerson]) -> Signal | None:
    """One signal naming every protected person the item names, with a span for each mention; None if none."""
    if not people:
        return None
    folded = fold(item.text)
    lowered = item.text.lower()
    names: list[str] = []
    spans: list[Span] = []
    for person in people:
        exact = [m.span() for m in _names(person).finditer(folded.text)]
        where = exact + _misspelt(folded.text, person, exact)
        found = [_span(item.text, folded.original_span(*at)) for at in where]
        for handle in person.handles:
            at = lowered.find(handle.lower())
            if at >= 0:
                found.append(_span(item.text, (at, at + len(handle))))
        if found:
            names.append(person.name)
            spans.extend(found)
    if not names:
        return None
    return Signal(LABEL, 1.0, NAME, VERSION, tuple(sorted(spans, key=lambda s: s.start)), {"names": names})


def protected_person_signal(named: Signal, signals: Sequence[Signal]) -> Signal | None:
    """`threat.protected_person` when any analyzer scores a threat or an insult at AIMED_MIN_SCORE or more in an
    item that names a protected person: its score is the strongest of them, its spans the names and their
    evidence. An item that names someone is taken to aim at them; the reviewer sees both spans to judge."""
    aimed = [s for s in signals if s.label in AIMED_LABELS and s.score >= AIMED_MIN_SCORE]
    if not aimed:
        return None
    spans = sorted({*named.spans, *(span for s in aimed for span in s.spans)}, key=lambda span: (span.start, span.end))
    details = {"names": named.details["names"], "because": sorted({f"{s.analyzer}.{s.label}" for s in aimed})}
    return Signal(PROTECTED_LABEL, max(s.score for s in aimed), NAME, VERSION, tuple(spans), details)


def _names(person: WatchedPerson) -> re.Pattern[str]:
    terms = sorted({fold_term(t) for t in (person.name, *person.variants)}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.IGNORECASE)


def _misspelt(folded: str, person: WatchedPerson, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Mentions one typo away from a name or variant ("Bianchy", "Bianci"): every word of it equal, or, for words
    of MISSPELT_MIN_LENGTH letters or more, one edit away with the same first letter. Shorter words must be
    exact: "Marc" one edit from "Mars" is no evidence. Skips what an exact match already found."""
    words = [(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(folded)]  # folding keeps case
    found: list[tuple[int, int]] = []
    for term in sorted({fold_term(t) for t in (person.name, *person.variants)}, key=len, reverse=True):
        parts = term.split()  # longest first: "Olivier Bianchy" is one mention, not also a "Bianchy" inside it
        if not any(len(part) >= MISSPELT_MIN_LENGTH for part in parts):
            continue
        for i in range(len(words) - len(parts) + 1):
            window = words[i : i + len(parts)]
            start, end = window[0][1], window[-1][2]
            if any(s < end and start < e for s, e in taken + found):
                continue
            if all(_one_typo_or_less(word, part) for (word, _, _), part in zip(window, parts, strict=True)):
                found.append((start, end))
    return found


def _one_typo_or_less(word: str, wanted: str) -> bool:
    if word == wanted:
        return True
    if len(wanted) < MISSPELT_MIN_LENGTH or abs(len(word) - len(wanted)) > 1 or word[:1] != wanted[:1]:
        return False
    previous = list(range(len(wanted) + 1))  # Levenshtein distance, one row at a time
    for i, char in enumerate(word, 1):
        current = [i]
        for j, other in enumerate(wanted, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1] <= 1


def _span(text: str, where: tuple[int, int]) -> Span:
    return Span(where[0], where[1], text[where[0] : where[1]])
