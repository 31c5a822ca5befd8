"""Writers of every process take turns through one lock file beside the SQLite database (store/gate.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from beffroi.store.database import Database
from beffroi.store.gate import WriterGate
from beffroi.store.writer import Tx

HOLD = """
import sys, time
from beffroi.store.gate import WriterGate
gate = WriterGate(sys.argv[1])
with gate.held():
    print("held", flush=True)
    sys.stdin.readline()  # until the test says so
"""


def test_a_write_waits_while_another_process_holds_the_gate_and_runs_once_it_is_released(tmp_path: Path) -> None:
    path = tmp_path / "beffroi.db"
    db = Database(f"sqlite:///{path}")
    try:
        db.writer.run(lambda tx: tx.conn.exec_driver_sql("CREATE TABLE t (x INTEGER)"))
        with subprocess.Popen(
            [sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        ) as other:
            assert other.stdin is not None and other.stdout is not None
            assert other.stdout.readline() == "held\n"

            def write(tx: Tx) -> None:
                tx.conn.exec_driver_sql("INSERT INTO t VALUES (1)")

            waiting = db.writer.submit(write)
            time.sleep(0.5)
            assert not waiting.done(), "the write went ahead while another process held the gate"
            other.stdin.write("\n")
            other.stdin.flush()
            waiting.result(timeout=10)
        with db.read() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM t")).scalar() == 1
    finally:
        db.close()


def test_the_gate_is_a_file_beside_the_database_and_is_free_between_transactions(tmp_path: Path) -> None:
    path = tmp_path / "beffroi.db"
    db = Database(f"sqlite:///{path}")
    try:
        db.writer.run(lambda tx: tx.conn.exec_driver_sql("CREATE TABLE t (x INTEGER)"))
        assert (tmp_path / "beffroi.db.writer-lock").exists()
        other = WriterGate(str(path))  # its own open file: it conflicts with the writer's as another process would
        try:
            with other.held():  # returns at once: the writer holds the gate only inside a transaction
                pass
        finally:
            other.close()
    finally:
        db.close()
