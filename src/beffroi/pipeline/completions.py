"""Telling a waiting request that its item's analysis is done.

In-process workers notify at once; a request whose worker runs in another process finds out by polling the
database, so `wait` works in both deployment shapes.
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from collections.abc import Awaitable, Callable

POLL_SECONDS = 0.1  # only for workers of other machines: local ones notify at once


class Completions:
    def __init__(self) -> None:
        self._waiters: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = defaultdict(list)
        self._lock = threading.Lock()

    def notify(self, item_ids: list[str]) -> None:
        with self._lock:
            woken = [w for item_id in item_ids for w in self._waiters.pop(item_id, [])]
        for loop, event in woken:
            loop.call_soon_threadsafe(event.set)

    async def wait(self, item_id: str, timeout: float, is_done: Callable[[], Awaitable[bool]]) -> bool:
        """True once the item is analysed (or failed); False if the timeout passed first."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        with self._lock:
            self._waiters[item_id].append((loop, event))
        deadline = loop.time() + timeout
        try:
            while True:
                if await is_done():
                    return True
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                try:
                    await asyncio.wait_for(event.wait(), min(POLL_SECONDS, remaining))
                except TimeoutError:
                    continue
        finally:
            with self._lock:
                waiters = self._waiters.get(item_id, [])
                if (loop, event) in waiters:
                    waiters.remove((loop, event))
                    if not waiters:
                        del self._waiters[item_id]
