"""Find watched people (elected officials, staff) named in a text: names, variants, handles, misspellings.

Pure function over a watchlist; spans are char offsets into the original text. Matching is done on a
folded copy (case and accents removed) so "Hidalgo", "HIDALGO" and "hidalgo" all match "Hidalgo".
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TOKEN = re.compile(r"@?[^\W_][\w'’.-]*[^\W_]|@?[^\W_]")
FUZZY_MIN_LEN = 5  # shorter words get no typo tolerance: too many false matches ("Marc" / "Mars")


@dataclass(frozen=True)
class WatchedPerson:
    id: str
    names: tuple[str, ...]  # "Anne Hidalgo", "Hidalgo", "Madame la maire"
    handles: tuple[str, ...] = ()  # "@Anne_Hidalgo"


@dataclass(frozen=True)
class TargetMatch:
    person_id: str
    start: int
    end: int
    text: str


def fold(text: str) -> str:
    """Lower-case and strip accents, one output char per input char (so offsets survive)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0].lower()
        out.append(base if len(base) == 1 else ch)
    return "".join(out)


def tokens(text: str) -> list[tuple[str, int, int]]:
    folded = fold(text)
    return [(m.group(0), m.start(), m.end()) for m in TOKEN.finditer(folded)]


def close(word: str, wanted: str) -> bool:
    """Equal, or one edit apart for long words (a common misspelling)."""
    if word == wanted:
        return True
    if min(len(word), len(wanted)) < FUZZY_MIN_LEN or abs(len(word) - len(wanted)) > 1 or word[0] != wanted[0]:
        return False
    return edit_distance(word, wanted) <= 1


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def variants(person: WatchedPerson) -> list[list[str]]:
    names = [[t for t, _, _ in tokens(n)] for n in person.names]
    handles = [[fold(h if h.startswith("@") else "@" + h)] for h in person.handles]
    return [v for v in names + handles if v]


def match_at(words: Sequence[tuple[str, int, int]], i: int, variant: list[str]) -> bool:
    if i + len(variant) > len(words):
        return False
    return all((close(words[i + k][0], w) if not w.startswith("@") else words[i + k][0] == w)
               for k, w in enumerate(variant))


def find_targets(text: str, watchlist: Iterable[WatchedPerson]) -> list[TargetMatch]:
    """Every non-overlapping mention of a watched person, longest variant first, in text order."""
    words = tokens(text)
    found: list[TargetMatch] = []
    taken: set[int] = set()
    for person in watchlist:
        for variant in sorted(variants(person), key=len, reverse=True):
            for i in range(len(words)):
                span = range(i, i + len(variant))
                if taken.isdisjoint(span) and match_at(words, i, variant):
                    start, end = words[i][1], words[i + len(variant) - 1][2]
                    found.append(TargetMatch(person.id, start, end, text[start:end]))
                    taken.update(span)
    return sorted(found, key=lambda m: m.start)
