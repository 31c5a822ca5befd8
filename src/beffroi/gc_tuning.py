"""Garbage collection set for long-running processes that allocate many short-lived objects.

Ingest and analysis build rows, dicts and models by the thousand per batch. With CPython's default thresholds
a young collection runs every 700 allocations and the older ones keep walking everything loaded at startup
(SQLAlchemy, pydantic, the analyzers' tables). Freezing what startup built and collecting the young
generation less often took the ingest store step from about 9,000 to 13,000 items/s (docs/benchmarks.md).
Cycles are still collected; only less often, in bigger sweeps.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000  # container allocations between young collections (CPython's default: 700)


def tune_after_startup() -> None:
    """Call once the process has loaded what it keeps for its lifetime, before it takes work."""
    gc.collect()
    gc.freeze()  # startup objects move to a permanent generation no collection walks again
    gc.set_threshold(YOUNG_THRESHOLD, 20, 20)
