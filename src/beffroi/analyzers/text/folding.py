"""Fold text for lexicon matching, keeping a map back to the original offsets.

Folding strips accents, invisible characters and the spacing people put inside a word
to dodge filters ("t u e r", "co.nnard"). Case is kept: the lexicon matches without
case, and the NAME token needs capitals. Every folded character remembers the index
of the original character it came from, so a Signal's evidence points into the text
the author wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Curly quotes, primes and accents typed as apostrophes: "j\u2019vais" reads "j'vais".
_APOSTROPHES = dict.fromkeys("\u2019\u2018`\u02bc\u00b4\u2032", "'")
# Letters NFKD leaves whole: ligatures ("l'\u0153uf" -> "l'oeuf"), and Cyrillic and Greek
# look-alikes swapped in to dodge filters ("\u0441\u043e\u043dnard" -> "connard").
_SPELLED_OUT = {
    "\u0153": "oe", "\u0152": "OE", "\u00e6": "ae", "\u00c6": "AE", "\u00df": "ss",
    "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c",
    "\u0445": "x", "\u0443": "y", "\u0456": "i", "\u0455": "s", "\u0458": "j",
    "\u0410": "A", "\u0415": "E", "\u041e": "O", "\u0420": "P", "\u0421": "C",
    "\u03bf": "o", "\u039f": "O", "\u03b1": "a", "\u0391": "A", "\u03b5": "e",
}  # fmt: skip
# Marks, variation selectors, zero-width joiners and soft hyphens carry no letter:
# "t\u200bu\u200be\u200br" and "⚰️" (coffin + VS16) fold to "tuer" and "⚰".
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
# Three or more single characters each followed by a separator: "t u e r", "t.u.e.r".
_SPACED_LETTERS = re.compile(r"(?<!\w)(?:[^\W_][ .\-_*/|·]{1,3}){2,}[^\W_](?!\w)")
# A dot, hyphen or underscore between two letters: "co.nnard", "pu-te", "t_uer".
_INNER_PUNCTUATION = re.compile(r"(?<=[^\W_])[.\-_·](?=[^\W_])")
_LETTER = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class FoldedText:
    """Folded text and, for each of its characters, the original character's index."""

    original: str
    text: str
    origin: tuple[int, ...] | None  # None: same length, index i came from index i

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the folded text back onto the original text."""
        if self.origin is None:
            first, last = start, end - 1
        else:
            first, last = self.origin[start], self.origin[end - 1]
        return first, self._past_marks(last + 1)

    def _past_marks(self, end: int) -> int:
        # A span must not cut a character from its accent or emoji selector.
        while end < len(self.original) and _is_dropped(self.original[end]):
            end += 1
        return end


def fold(text: str) -> FoldedText:
    """Fold `text` for matching; see the module docstring for what is folded."""
    folded = _fold_characters(text)
    folded = _remove(folded, _spaced_separators(folded.text))
    return _remove(folded, [m.start() for m in _INNER_PUNCTUATION.finditer(folded.text)])


def fold_term(term: str) -> str:
    """Fold a lexicon term the way texts are folded, so both sides compare alike."""
    return "".join(_fold_character(char) for char in term).lower()


@lru_cache(maxsize=8192)
def _fold_character(char: str) -> str:
    if char in _APOSTROPHES:
        return _APOSTROPHES[char]
    if char in _SPELLED_OUT:
        return _SPELLED_OUT[char]
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not _is_dropped(c))


def _is_dropped(char: str) -> bool:
    return unicodedata.category(char) in _DROPPED_CATEGORIES


class _OneToOne(dict[int, str]):
    """str.translate's table, filled on first sight of each character: its folding where that is one character,
    else NUL, which sends the text to the per-character path that keeps an offset map."""

    def __missing__(self, code: int) -> str:
        piece = _fold_character(chr(code))
        self[code] = folded = piece if len(piece) == 1 else "\0"
        return folded


_ONE_TO_ONE = _OneToOne()


def _fold_characters(text: str) -> FoldedText:
    if text.isascii():  # the common case needs no work and no offset map
        return FoldedText(text, text, None)
    same_length = text.translate(_ONE_TO_ONE)  # most accented posts: one pass in C, no offset map
    if "\0" not in same_length:
        return FoldedText(text, same_length, None)
    pieces = [_fold_character(char) for char in text]
    if all(len(piece) == 1 for piece in pieces):
        return FoldedText(text, "".join(pieces), None)
    origin = tuple(index for index, piece in enumerate(pieces) for _ in piece)
    return FoldedText(text, "".join(pieces), origin)


def _spaced_separators(text: str) -> list[int]:
    removed: list[int] = []
    for match in _SPACED_LETTERS.finditer(text):
        span = range(match.start(), match.end())
        removed.extend(i for i in span if not _LETTER.match(text[i]))
    return removed


def _remove(folded: FoldedText, positions: list[int]) -> FoldedText:
    """Drop the characters at `positions` from the folded text, keeping the map right."""
    if not positions:
        return folded
    dropped = set(positions)
    kept = [i for i in range(len(folded.text)) if i not in dropped]
    text = "".join(folded.text[i] for i in kept)
    previous = folded.origin
    origin = tuple(kept) if previous is None else tuple(previous[i] for i in kept)
    return FoldedText(folded.original, text, origin)
