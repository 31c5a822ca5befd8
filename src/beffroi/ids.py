"""Identifiers: a prefix naming the concept, then 26 base32hex characters ordered by creation time.

Time-ordered ids keep B-tree inserts at the end of the index, which matters at thousands of items a second.
base32hex (RFC 4648: 0-9 then a-v) sorts like the number it encodes. The 128 bits (48 of milliseconds, 80
random) are written as RFC 4648 would, padding bits on the right, but with a table of 10-bit pairs: the
stdlib's base32 encoder is pure Python and cost more than the rest of an item's preparation.
"""

from __future__ import annotations

import os
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuv"
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]  # index: 10 bits -> two characters
_SHIFTS = range(120, -1, -10)


def new_id(prefix: str) -> str:
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    padded = value << 2  # 130 bits: 26 characters of 5 bits, as base32 pads the last one on the right
    return prefix + "_" + "".join([_PAIRS[(padded >> shift) & 0x3FF] for shift in _SHIFTS])
