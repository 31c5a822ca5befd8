"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from beffroi.store.writer import Tx

CHUNK = 400  # keeps each statement under SQLite's bound-parameter limit


def insert_ignore(tx: Tx, table: sa.Table, rows: Sequence[dict[str, Any]], conflict: Sequence[str]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: concurrent or retried inserts of the same key keep the first."""
    if not rows:
        return
    dialect = postgresql if tx.dialect == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    tx.conn.execute(statement, list(rows))


def chunks(values: Sequence[Any], size: int = CHUNK) -> list[Sequence[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
