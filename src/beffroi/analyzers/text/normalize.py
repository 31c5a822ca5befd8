"""Undo common obfuscation before classification, keeping a map back to the original characters.

Threats are hidden with leetspeak ("tu3r"), spacing ("t u e r"), stretched letters ("tuuuer") and
emoji ("🔪"). The model sees the normalised text; evidence spans are mapped back to the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Emoji that stand for a weapon or violence become words the encoder already knows.
EMOJI_WORDS: dict[str, str] = {
    "🔪": "couteau",
    "🗡": "couteau",
    "⚔": "épée",
    "🔫": "pistolet",
    "💣": "bombe",
    "🧨": "bombe",
    "🪓": "hache",
    "⚰": "cercueil",
    "🪦": "tombe",
    "💀": "mort",
    "☠": "mort",
    "🩸": "sang",
    "🔥": "feu",
    "🪢": "corde",
    "💥": "explosion",
}
LEET: dict[str, str] = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
_LEET_TOKEN = re.compile(r"\S+")
_ORDINAL = re.compile(r"^\d+[^\W\d_]{0,3}$")  # 1er, 2e, 10h, 5km, 3rd: real numbers, not leetspeak
# Four or more single letters with one separator between them: "t u e r", "t.u.e.r".
_SPACED = re.compile(r"(?<![^\W_])([^\W\d_])((?:[ .\-_*])[^\W\d_]){3,}(?![^\W_])")
_STRETCH = re.compile(r"(.)\1{2,}")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Normalized:
    text: str
    origin: tuple[int, ...]  # origin[i] = index in the original text of normalised char i

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering normalised chars [start, end)."""
        return self.origin[start], self.origin[end - 1] + 1


Edit = Callable[[re.Match[str]], list[int] | str]


def _apply(text: str, origin: list[int], pattern: re.Pattern[str], edit: Edit) -> tuple[str, list[int]]:
    """Rewrite each match: a list keeps those match positions, a string replaces the match."""
    out: list[str] = []
    out_origin: list[int] = []
    last = 0
    for m in pattern.finditer(text):
        out.append(text[last : m.start()])
        out_origin.extend(origin[last : m.start()])
        result = edit(m)
        if isinstance(result, str) and len(result) == m.end() - m.start():
            out.append(result)  # same length (leetspeak): characters stay aligned one to one
            out_origin.extend(origin[m.start() : m.end()])
        elif isinstance(result, str):
            out.append(result)
            out_origin.extend([origin[m.start()]] * len(result))
        else:
            out.append("".join(text[m.start() + i] for i in result))
            out_origin.extend(origin[m.start() + i] for i in result)
        last = m.end()
    out.append(text[last:])
    out_origin.extend(origin[last:])
    return "".join(out), out_origin


def _emoji(text: str, origin: list[int]) -> tuple[str, list[int]]:
    chars: list[str] = []
    out_origin: list[int] = []
    for ch, o in zip(text, origin, strict=True):
        word = EMOJI_WORDS.get(ch)
        piece = f" {word} " if word else ch.lower()
        chars.append(piece)
        out_origin.extend([o] * len(piece))
    return "".join(chars), out_origin


def _deleet(m: re.Match[str]) -> str:
    token = m.group(0)
    letters = sum(c.isalpha() for c in token)
    if letters < 2 or _ORDINAL.match(token) or token.startswith(("@", "http", "#")):
        return token
    chars = list(token)
    for i, ch in enumerate(chars):
        near_letter = (i > 0 and chars[i - 1].isalpha()) or (i + 1 < len(chars) and token[i + 1].isalpha())
        if ch in LEET and near_letter:
            chars[i] = LEET[ch]
    return "".join(chars)


def _unspace(m: re.Match[str]) -> list[int]:
    return [i for i, ch in enumerate(m.group(0)) if ch not in " .-_*"]


def normalize(text: str) -> Normalized:
    s, origin = _emoji(text, list(range(len(text))))
    s, origin = _apply(s, origin, _LEET_TOKEN, _deleet)
    s, origin = _apply(s, origin, _SPACED, _unspace)
    s, origin = _apply(s, origin, _STRETCH, lambda m: [0])
    s, origin = _apply(s, origin, _SPACES, lambda m: [0])
    s_stripped = s.strip()
    lead = len(s) - len(s.lstrip())
    return Normalized(s_stripped, tuple(origin[lead : lead + len(s_stripped)]))
