"""Engines for SQLite (embedded) and PostgreSQL (scaled), with one writer and separate readers.

SQLite allows one writer at a time, so every write of this process goes through `Writer`, which groups the
tasks queued meanwhile into one transaction: one commit (one fsync) acknowledges many requests.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from beffroi.errors import ConfigError
from beffroi.store.gate import WriterGate
from beffroi.store.writer import Writer

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 1.0
MMAP_BYTES = 256 * 1024 * 1024
WRITER_CACHE_KIB = 64 * 1024
WAL_SAFETY_PAGES = 20_000  # 80 MB of log (4 KB pages) before a commit checkpoints by itself


class Database:
    def __init__(self, url: str, *, sqlite_synchronous: str = "FULL"):
        self.url = sa.make_url(url)
        self.dialect = self.url.get_backend_name()
        if self.dialect == "sqlite":
            self.write_engine = _sqlite_engine(self.url, sqlite_synchronous, immediate=True)
            self.read_engine = _sqlite_engine(self.url, sqlite_synchronous, immediate=False)
        elif self.dialect == "postgresql":
            self.write_engine = self.read_engine = _postgres_engine(self.url)
        else:
            raise ConfigError(
                f"unsupported database {self.dialect!r}",
                hint="use sqlite:///path/to/file.db or postgresql+psycopg://user@host/dbname",
            )
        path = self.url.database if self.dialect == "sqlite" else None
        self._gate = WriterGate(path) if path and path != ":memory:" else None
        self.writer = Writer(self.write_engine, self.dialect, self._gate.held if self._gate else None)
        self._checkpointer = Checkpointer(self.read_engine) if self.dialect == "sqlite" else None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.read_engine.connect() as conn:
            yield conn

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
        self.writer.close()
        if self._gate is not None:
            self._gate.close()
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()


class Checkpointer:
    """Copies SQLite's write-ahead log back into the database file from a thread of its own, once a second.

    Left to SQLite, the commit that fills the log past 1,000 pages does the copy and its fsync itself, inside
    the writer: ingest slowed by a fifth as the database grew. A passive checkpoint waits for nobody and is
    skipped while another process runs one."""

    def __init__(self, engine: Engine, interval: float = CHECKPOINT_SECONDS):
        self._engine = engine
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if engine.url.database and engine.url.database != ":memory:":
            self._thread = threading.Thread(target=self._loop, name="beffroi-checkpoint", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.checkpoint()
            except Exception:  # a busy or vanished database: the next round, or SQLite's own bound, catches up
                log.debug("background checkpoint skipped", exc_info=True)

    def checkpoint(self) -> None:
        conn = self._engine.raw_connection()
        try:
            conn.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _sqlite_engine(url: sa.URL, synchronous: str, *, immediate: bool) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        json_serializer=json_text,
        pool_size=1 if immediate else 8,
        max_overflow=0 if immediate else 8,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so BEGIN IMMEDIATE can be issued below.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={_checked_synchronous(synchronous)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Reads through a memory map of up to 256 MB instead of a read() call per page: batches into a database
        # of 100,000 items ran 15-20% faster (docs/benchmarks.md); the pages stay the kernel's, shared.
        cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        if immediate:
            # The writer's page cache: 64 MB instead of SQLite's 2 MB keeps the indexes' inner pages in memory as
            # the database grows, where random keys (remote ids) land anywhere: batches 5% faster past 50,000 items.
            cursor.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
        # Checkpoints run in the background (Checkpointer); this is the bound if they fall behind.
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_SAFETY_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the lock at BEGIN: upgrading a read lock later can fail with "database is locked".
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _checked_synchronous(value: str) -> str:
    upper = value.upper()
    if upper not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ConfigError(f"BEFFROI_SQLITE_SYNCHRONOUS={value!r}: use FULL, NORMAL, EXTRA or OFF")
    return upper


def _postgres_engine(url: sa.URL) -> Engine:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise ConfigError("PostgreSQL support is not installed", hint="Run pip install 'beffroi[postgres]'") from None
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return sa.create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, json_serializer=json_text)


def json_text(value: Any) -> str:
    """JSON columns' serialiser: orjson, ten times the stdlib's speed on the ingest path (every item's context).

    What orjson refuses (integers past 64 bits, lone surrogates) the stdlib still writes, as before; so does
    anything with a null in it, since orjson also writes NaN and infinities as null, which would change data."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(value)
    return json.dumps(value) if b"null" in text else text.decode()
