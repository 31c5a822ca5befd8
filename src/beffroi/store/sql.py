"""The few statements whose SQL differs between SQLite and PostgreSQL, and bulk inserts for the hot paths."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from beffroi.store.writer import Tx

CHUNK = 400  # keeps each statement under SQLite's bound-parameter limit

_Processor = Callable[[Any], Any] | None
_Compiled = tuple[str, list[str], list[_Processor], bool]
_compiled: dict[tuple[str, str, tuple[str, ...], tuple[str, ...]], _Compiled] = {}


def insert_ignore(tx: Tx, table: sa.Table, rows: Sequence[dict[str, Any]], conflict: Sequence[str]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING: concurrent or retried inserts of the same key keep the first.

    Returns how many rows were inserted, or None where the driver cannot tell for an executemany."""
    return bulk_insert(tx, table, rows, conflict=conflict)


def bulk_insert(
    tx: Tx, table: sa.Table, rows: Sequence[dict[str, Any]], *, conflict: Sequence[str] | None = None
) -> int | None:
    """executemany straight to the driver, with the statement compiled once per table and dialect.

    Ingest inserts thousands of rows a second; building parameters row by row through Core costs as much as
    SQLite itself. Values still go through each column type's bind processor, so what is stored is the same.
    """
    if not rows:
        return 0
    dialect = tx.conn.dialect
    sql, order, processors, positional = _statement(dialect, table, tuple(rows[0]), tuple(conflict or ()))
    values: Callable[[dict[str, Any]], Any] = operator.itemgetter(*order)
    # Most columns need no conversion. Timestamps do, and are mostly the transaction's own time, repeated on
    # every row: convert each distinct one once (SQLite's datetime processor formats in Python). Keyed with the
    # offset too: 13:00+01:00 equals 12:00Z, but SQLite's processor writes the wall clock and drops the offset.
    converted: list[tuple[int, Callable[[Any], Any], dict[Any, Any] | None]] = [
        (i, process, {} if _is_datetime(table, order[i]) else None)
        for i, process in enumerate(processors)
        if process is not None
    ]
    params: list[Any] = []
    for row in rows:
        found = list(values(row)) if len(order) > 1 else [values(row)]
        for i, process, seen in converted:
            value = found[i]
            if value is None:
                continue
            if seen is None:
                found[i] = process(value)
            elif (done := seen.get(key := (value, value.utcoffset()))) is not None:
                found[i] = done
            else:
                found[i] = seen[key] = process(value)
        params.append(tuple(found) if positional else dict(zip(order, found, strict=True)))
    result = tx.conn.exec_driver_sql(sql, params)
    return result.rowcount if dialect.supports_sane_multi_rowcount and result.rowcount >= 0 else None


def _is_datetime(table: sa.Table, column: str) -> bool:
    return isinstance(table.c[column].type, sa.DateTime)


def _statement(dialect: Dialect, table: sa.Table, columns: tuple[str, ...], conflict: tuple[str, ...]) -> _Compiled:
    key = (dialect.name, table.name, columns, conflict)
    if key not in _compiled:
        values: dict[str, Any] = {c: sa.bindparam(c) for c in columns}
        if conflict:
            module = postgresql if dialect.name == "postgresql" else sqlite
            statement: Any = module.insert(table).values(values).on_conflict_do_nothing(index_elements=list(conflict))
        else:
            statement = table.insert().values(values)
        compiled = statement.compile(dialect=dialect)
        order = [str(c) for c in (compiled.positiontup or columns)] if compiled.positional else list(columns)
        processors: list[_Processor] = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in order]
        _compiled[key] = (str(compiled), order, processors, bool(compiled.positional))
    return _compiled[key]


def marker(tx: Tx) -> str:
    """The driver's positional placeholder, for SQL written out by hand (exec_driver_sql)."""
    return "?" if tx.conn.dialect.paramstyle == "qmark" else "%s"


def chunks(values: Sequence[Any], size: int = CHUNK) -> list[Sequence[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def aware(value: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
