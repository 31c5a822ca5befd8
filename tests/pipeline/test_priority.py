"""A worker process lowers the CPU priority of its analysis thread only: its writer keeps the API's, since it
holds the SQLite write lock that ingest waits for."""

from __future__ import annotations

import os
import sys
import threading

import pytest
import sqlalchemy as sa

from beffroi.pipeline.processes import lower_analysis_priority
from beffroi.store.writer import Writer


def _nice(thread: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, thread)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own priority is Linux's")
def test_the_analysis_thread_is_lowered_and_the_writer_thread_is_not() -> None:
    writer = Writer(sa.create_engine("sqlite://"), "sqlite")
    seen: dict[str, int] = {}

    def analysis() -> None:  # a thread of its own, so that the test process keeps its priority
        seen["before"] = _nice(threading.get_native_id())
        lower_analysis_priority(writer, 3)
        seen["analysis"] = _nice(threading.get_native_id())
        writer_thread = writer.run(lambda tx: threading.get_native_id())
        seen["writer"] = _nice(writer_thread)

    try:
        runner = threading.Thread(target=analysis)
        runner.start()
        runner.join(30)
    finally:
        writer.close()
    assert seen["analysis"] == min(seen["before"] + 3, 19)
    assert seen["writer"] == seen["before"]
