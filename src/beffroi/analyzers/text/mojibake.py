"""Repair UTF-8 text that was decoded as Latin-1 or Windows-1252 on its way in ("Ã©tÃ©" for "été").

A connector or an export that guesses the wrong encoding turns every accented letter into two or three characters
and every emoji into four; one component of the French hate corpus came to us that way (2,369 of its 2,847 rows).
The encoder splits such words into pieces it never saw in pretraining, so the repair runs before anything else.
Only byte sequences that form valid UTF-8 are rewritten, and only in a text that carries one of the unmistakable
markers, so "Ça coûte 5 €" or "ÉTÉ…" stay as they are.
"""

from __future__ import annotations

import re

# The byte each character stands for when UTF-8 was read as Windows-1252, or as Latin-1 for the five bytes
# Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D: they come through as C1 control characters).
_BYTE: dict[str, int] = {chr(b): b for b in range(256)}
_BYTE.update({bytes([b]).decode("cp1252"): b for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)})
_CONTINUATION = "".join(c for c, b in _BYTE.items() if 0x80 <= b <= 0xBF)
# A lead byte of an accented Latin letter (Ã, Â, Å, Ä) or of a punctuation mark or emoji (â, ð) followed by a
# continuation byte: sequences real French or English text does not contain.
_MARKER = re.compile(f"[ÃÂÅÄâð][{re.escape(_CONTINUATION)}]")


def _sequence_length(lead: int) -> int:
    """Bytes in the UTF-8 sequence that `lead` starts (0: not a lead byte of a multi-byte character)."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def repair(text: str) -> tuple[str, list[int], list[int]]:
    """The repaired text, and for each of its characters the [start, end) of the characters it came from."""
    if not _MARKER.search(text):
        return text, list(range(len(text))), list(range(1, len(text) + 1))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(text):
        size = _sequence_length(_BYTE.get(text[i], 0))
        chunk = text[i : i + size] if size else ""
        if size and len(chunk) == size and all(c in _BYTE for c in chunk):
            try:
                char = bytes(_BYTE[c] for c in chunk).decode("utf-8")
            except UnicodeDecodeError:
                char = ""
            if char:
                out.append(char)
                starts.append(i)
                ends.append(i + size)
                i += size
                continue
        out.append(text[i])
        starts.append(i)
        ends.append(i + 1)
        i += 1
    return "".join(out), starts, ends
