"""SQLite's write-ahead log is copied back into the database file in the background, not by the writer."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from beffroi.store.database import Database


def _rows_in_main_file(path: Path) -> int:
    # immutable=1 reads the database file alone and ignores the log: it sees only what was checkpointed.
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as conn:
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'notes'").fetchone()[0]
        return int(conn.execute("SELECT count(*) FROM notes").fetchone()[0]) if tables else 0


def test_committed_rows_reach_the_database_file_without_a_checkpoint_by_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "beffroi.db"
    db = Database(f"sqlite:///{path}")
    try:
        db.writer.run(lambda tx: tx.conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        # Far below SQLite's own bound, so only the background checkpoint can copy these to the file.
        for start in range(0, 500, 100):
            db.writer.run(
                lambda tx, start=start: tx.conn.execute(
                    sa.text("INSERT INTO notes (body) VALUES (:body)"),
                    [{"body": f"note {n}"} for n in range(start, start + 100)],
                )
            )
        deadline = time.monotonic() + 15
        while _rows_in_main_file(path) < 500 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _rows_in_main_file(path) == 500
    finally:
        db.close()


def test_closing_the_database_stops_its_checkpoint_thread(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    db = Database(f"sqlite:///{tmp_path / 'beffroi.db'}")
    started = [t for t in set(threading.enumerate()) - before if t.name == "beffroi-checkpoint"]
    assert len(started) == 1
    db.close()
    assert not started[0].is_alive()
