"""Ids sort by creation time, so indexes grow at their end."""

from __future__ import annotations

import time

from beffroi.ids import new_id


def test_ids_are_prefixed_unique_and_time_ordered() -> None:
    earlier = [new_id("itm") for _ in range(1000)]
    time.sleep(0.002)
    later = new_id("itm")
    assert len(set(earlier)) == 1000
    assert all(i.startswith("itm_") and len(i) == 30 for i in earlier)
    assert max(earlier) < later
