"""Identifiers: a prefix naming the concept, then 26 base32hex characters ordered by creation time.

Time-ordered ids keep B-tree inserts at the end of the index, which matters at thousands of items a second.
base32hex (RFC 4648: 0-9 then a-v) sorts like the number it encodes, and the stdlib encodes it in C.
"""

from __future__ import annotations

import base64
import os
import time


def new_id(prefix: str) -> str:
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    encoded = base64.b32hexencode(value.to_bytes(16, "big")).decode().rstrip("=").lower()
    return f"{prefix}_{encoded}"
