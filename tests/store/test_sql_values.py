"""Values written by the hot-path helpers read back as the slower, general paths would have written them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from beffroi.store.database import Database, json_text
from beffroi.store.sql import bulk_insert


def test_json_columns_keep_what_orjson_would_change_or_refuse() -> None:
    assert json_text({"b": 1, "a": "é"}) == '{"b":1,"a":"é"}'
    for value in ({"score": float("nan")}, {"big": 2**70}, {"none": None}, {"s": "\ud800"}):
        assert json_text(value) == json.dumps(value)  # NaN stays NaN, not null


def test_timestamps_converted_once_per_batch_keep_their_own_offsets(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'values.db'}")
    metadata = sa.MetaData()
    table = sa.Table("moments", metadata, sa.Column("n", sa.Integer), sa.Column("at", sa.DateTime(timezone=True)))
    try:
        metadata.create_all(db.write_engine)
        paris = datetime(2026, 11, 23, 13, tzinfo=timezone(timedelta(hours=1)))
        utc = datetime(2026, 11, 23, 12, tzinfo=UTC)
        assert paris == utc  # one instant, so one key for a cache keyed on the value alone
        db.writer.run(lambda tx: bulk_insert(tx, table, [{"n": 1, "at": paris}, {"n": 2, "at": utc}]))
        with db.read() as conn:
            stored = dict(conn.exec_driver_sql("SELECT n, at FROM moments").all())
        # Each row as SQLite's own processor writes it (the wall clock), not the first row's text for both.
        assert stored == {1: "2026-11-23 13:00:00.000000", 2: "2026-11-23 12:00:00.000000"}
    finally:
        db.close()
