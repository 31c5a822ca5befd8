"""Notices: how many an item has (what policies see as `notices`), storing them, reading them back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi.domain import Notice, NoticeStatus, NotifierKind
from beffroi.store.schema import items, notices
from beffroi.store.sql import aware, chunks
from beffroi.store.writer import Tx


def counts(conn: Connection, item_ids: Sequence[str], *, lock_items: bool = False) -> dict[str, int]:
    """Notices per item, for the items that have any.

    `lock_items` first locks the items' rows (PostgreSQL; SQLite's one writer already serialises): a notice
    locks its item's row too, so a verdict being recorded and a notice arriving never miss each other.
    """
    found: dict[str, int] = {}
    for chunk in chunks(list(item_ids)):
        if lock_items and conn.dialect.name == "postgresql":  # on SQLite the lock is already the writer's
            conn.execute(_LOCK_ITEMS, {"ids": chunk})
        found.update({item_id: int(n) for item_id, n in conn.execute(_COUNTS, {"ids": chunk})})
    return found


# Run by the worker on every batch: built once (see items_store).
_LOCK_ITEMS = sa.select(items.c.id).where(items.c.id.in_(sa.bindparam("ids", expanding=True))).with_for_update()
_COUNTS = (
    sa.select(notices.c.item_id, sa.func.count())
    .where(notices.c.item_id.in_(sa.bindparam("ids", expanding=True)))
    .group_by(notices.c.item_id)
)


def insert(tx: Tx, notice: Notice, *, member_id: str | None, source_key: str, receipt_hash: str) -> None:
    tx.conn.execute(
        notices.insert().values(
            id=notice.id,
            item_id=notice.item_id,
            case_id=notice.case_id,
            reason=notice.reason,
            explanation=notice.explanation,
            notifier_kind=notice.notifier_kind.value,
            notifier_name=notice.notifier_name,
            notifier_email=notice.notifier_email,
            notifier_member_id=member_id,
            source_key=source_key,
            trusted=notice.trusted,
            flagged=notice.flagged,
            receipt_hash=receipt_hash,
            status=notice.status.value,
            created_at=notice.received_at,
        )
    )


def get(conn: Connection, notice_id: str, *, receipt_hash: str | None = None) -> Notice | None:
    """The notice; with `receipt_hash`, only when the receipt is the one issued with it."""
    query = _select().where(notices.c.id == notice_id)
    if receipt_hash is not None:
        query = query.where(notices.c.receipt_hash == receipt_hash)
    row = conn.execute(query).first()
    return None if row is None else _notice(row)


@dataclass(frozen=True)
class NoticeFilter:
    spaces: frozenset[str] | None  # None: every space
    space: str | None = None
    item_id: str | None = None
    case_id: str | None = None
    flagged: bool | None = None
    before: str | None = None  # a notice id: older ones (ids are time-ordered)


def find(conn: Connection, wanted: NoticeFilter, limit: int) -> list[Notice]:
    """Newest first."""
    query = _select().order_by(notices.c.id.desc()).limit(limit)
    conditions: list[tuple[object, sa.ColumnElement[bool]]] = [
        (wanted.spaces, items.c.space_id.in_(sorted(wanted.spaces or ()))),
        (wanted.space, items.c.space_id == wanted.space),
        (wanted.item_id, notices.c.item_id == wanted.item_id),
        (wanted.case_id, notices.c.case_id == wanted.case_id),
        (wanted.flagged, notices.c.flagged == bool(wanted.flagged)),
        (wanted.before, notices.c.id < (wanted.before or "")),
    ]
    for given, condition in conditions:
        if given is not None:
            query = query.where(condition)
    return [_notice(row) for row in conn.execute(query)]


def _select() -> sa.Select[Any]:
    return sa.select(notices, items.c.space_id).join(items, items.c.id == notices.c.item_id)


def _notice(row: sa.Row[Any]) -> Notice:
    return Notice(
        id=row.id,
        item_id=row.item_id,
        space=row.space_id,
        case_id=row.case_id,
        reason=row.reason,
        explanation=row.explanation,
        notifier_kind=NotifierKind(row.notifier_kind),
        notifier_name=row.notifier_name,
        notifier_email=row.notifier_email,
        trusted=row.trusted,
        flagged=row.flagged,
        status=NoticeStatus(row.status),
        received_at=aware(row.created_at),
        outcome=row.outcome,
        decided_at=aware(row.decided_at) if row.decided_at else None,
    )
