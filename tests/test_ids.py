"""Ids sort by creation time, so indexes grow at their end."""

from __future__ import annotations

import base64
import time

from beffroi.ids import new_id


def test_ids_are_prefixed_unique_and_time_ordered() -> None:
    earlier = [new_id("itm") for _ in range(1000)]
    time.sleep(0.002)
    later = new_id("itm")
    assert len(set(earlier)) == 1000
    assert all(i.startswith("itm_") and len(i) == 30 for i in earlier)
    assert max(earlier) < later


def test_ids_are_rfc4648_base32hex_of_the_milliseconds_then_random_bits() -> None:
    # Ids written before the table encoder must keep sorting before the ones written after it.
    before = time.time_ns() // 1_000_000
    encoded = new_id("itm").removeprefix("itm_")
    after = time.time_ns() // 1_000_000
    raw = base64.b32hexdecode(encoded.upper() + "======")
    assert len(raw) == 16
    assert before <= int.from_bytes(raw[:6], "big") <= after
    assert base64.b32hexencode(raw).decode().rstrip("=").lower() == encoded
