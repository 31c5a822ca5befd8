"""Reading items with their attachments, signals and verdicts; recording analysis results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi.domain import (
    Action,
    ActionKind,
    Attachment,
    Author,
    Item,
    ItemStatus,
    ShadowFiring,
    Signal,
    Source,
    Span,
    Verdict,
)
from beffroi.store import audit_log
from beffroi.store.schema import attachments, items, signals, verdicts
from beffroi.store.sql import bulk_insert, chunks
from beffroi.store.writer import Tx

# Statements the worker runs on every batch, built once: building `in_(values)` anew each time cost SQLAlchemy
# twice what running it does (a bound parameter per value, a cache key over them).
_IDS: sa.BindParameter[list[str]] = sa.bindparam("ids", expanding=True)
_ITEMS_BY_ID = sa.select(items).where(items.c.id.in_(_IDS))
_ATTACHMENTS_OF = sa.select(attachments).where(attachments.c.item_id.in_(_IDS)).order_by(attachments.c.position)
_MARK_ANALYSED = items.update().where(items.c.id.in_(_IDS)).values(status=ItemStatus.ANALYSED.value, error=None)


def get_items(conn: Connection, ids: Sequence[str]) -> dict[str, Item]:
    rows: list[sa.Row[Any]] = []
    for chunk in chunks(list(ids)):
        rows.extend(conn.execute(_ITEMS_BY_ID, {"ids": chunk}))
    by_item = _attachments(conn, [r.id for r in rows])
    return {row.id: _item(row, by_item.get(row.id, ())) for row in rows}


def status_of(conn: Connection, item_id: str) -> ItemStatus | None:
    """Just the status: what a caller waiting for the verdict polls, without loading the item."""
    status = conn.execute(sa.select(items.c.status).where(items.c.id == item_id)).scalar()
    return None if status is None else ItemStatus(status)


def get_item(conn: Connection, item_id: str) -> Item | None:
    return get_items(conn, [item_id]).get(item_id)


def list_items(
    conn: Connection,
    spaces: frozenset[str] | None,
    *,
    space: str | None,
    status: str | None,
    before: str | None,
    limit: int,
) -> list[Item]:
    query = sa.select(items).order_by(items.c.id.desc()).limit(limit)
    if spaces is not None:
        query = query.where(items.c.space_id.in_(sorted(spaces)))
    if space is not None:
        query = query.where(items.c.space_id == space)
    if status is not None:
        query = query.where(items.c.status == status)
    if before is not None:
        query = query.where(items.c.id < before)
    rows = conn.execute(query).all()
    by_item = _attachments(conn, [r.id for r in rows])
    return [_item(row, by_item.get(row.id, ())) for row in rows]


def _attachments(conn: Connection, ids: list[str]) -> dict[str, tuple[Attachment, ...]]:
    found: dict[str, list[Attachment]] = defaultdict(list)
    for chunk in chunks(ids):
        for r in conn.execute(_ATTACHMENTS_OF, {"ids": chunk}):
            found[r.item_id].append(Attachment(r.position, r.sha256, r.mime_type, r.url, r.error))
    return {item_id: tuple(values) for item_id, values in found.items()}


def _item(row: sa.Row[Any], attached: tuple[Attachment, ...]) -> Item:
    return Item(
        id=row.id,
        space=row.space_id,
        author=Author(row.author_id, row.author_handle, row.author_name),
        source=Source(row.source_platform, row.source_remote_id, row.source_url),
        text=row.text,
        published_at=_aware(row.published_at),
        received_at=_aware(row.received_at) or row.received_at,
        context=row.context or {},
        attachments=attached,
        status=ItemStatus(row.status),
        error=row.error,
    )


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def signals_for(conn: Connection, item_id: str) -> list[Signal]:
    query = sa.select(signals).where(signals.c.item_id == item_id).order_by(signals.c.id)
    return [_signal(r) for r in conn.execute(query)]


def _signal(row: sa.Row[Any]) -> Signal:
    evidence = row.evidence or {}
    spans = tuple(Span(s["start"], s["end"], s["text"]) for s in evidence.get("spans", []))
    return Signal(row.label, row.score, row.analyzer, row.analyzer_version, spans, evidence.get("details", {}))


def verdict_for(conn: Connection, item_id: str) -> Verdict | None:
    query = sa.select(verdicts).where(verdicts.c.item_id == item_id).order_by(verdicts.c.id.desc()).limit(1)
    row = conn.execute(query).first()
    return None if row is None else verdict_of(row)


def signals_for_items(conn: Connection, ids: Sequence[str]) -> dict[str, list[Signal]]:
    found: dict[str, list[Signal]] = defaultdict(list)
    for chunk in chunks(list(ids)):
        query = sa.select(signals).where(signals.c.item_id.in_(chunk)).order_by(signals.c.id)
        for row in conn.execute(query):
            found[row.item_id].append(_signal(row))
    return dict(found)


# Verdicts written by people rather than by a policy: an approval of a held item, a reviewer's decision.
APPROVAL_POLICY = "approval"
DECISION_POLICY_PREFIX = "decision:"


def by_policy() -> sa.ColumnElement[bool]:
    """Verdicts a policy gave, not people: what a backtest compares a candidate policy with."""
    return sa.and_(verdicts.c.policy != APPROVAL_POLICY, ~verdicts.c.policy.startswith(DECISION_POLICY_PREFIX))


def latest_verdicts(conn: Connection, ids: Sequence[str]) -> dict[str, Verdict]:
    """Each item's newest verdict from a policy (approvals and reviewers' decisions left aside)."""
    found: dict[str, Verdict] = {}
    for chunk in chunks(list(ids)):
        newest = (
            sa.select(sa.func.max(verdicts.c.id))
            .where(verdicts.c.item_id.in_(chunk), by_policy())
            .group_by(verdicts.c.item_id)
        )
        for row in conn.execute(sa.select(verdicts).where(verdicts.c.id.in_(newest.scalar_subquery()))):
            found[row.item_id] = verdict_of(row)
    return found


def verdict_of(row: sa.Row[Any]) -> Verdict:
    """A verdict from a row of the verdicts table."""
    shadow = tuple(ShadowFiring(s["rule"], _actions(s["actions"]), s["reason"]) for s in row.shadow or [])
    return Verdict(row.policy, _actions(row.actions), tuple(row.reasons), tuple(row.rules or ()), shadow)


def _actions(stored: list[dict[str, Any]]) -> tuple[Action, ...]:
    return tuple(Action(ActionKind(a["kind"]), a.get("params", {})) for a in stored)


def _action_rows(actions: Sequence[Action]) -> list[dict[str, Any]]:
    return [{"kind": a.kind.value, "params": dict(a.params)} for a in actions]


@dataclass(frozen=True)
class AnalysisRows:
    """An item's signals and verdict as rows. The worker builds them before its write transaction, which then
    only stamps its time on them: SQLite has one write lock, and ingest waits while the worker holds it."""

    item_id: str
    signals: list[dict[str, Any]]
    verdict: dict[str, Any]


def analysis_rows(item_id: str, found: Sequence[Signal], verdict: Verdict) -> AnalysisRows:
    return AnalysisRows(item_id, [_signal_row(item_id, s) for s in found], _verdict_row(item_id, verdict))


def record_analysis(tx: Tx, results: Sequence[AnalysisRows]) -> None:
    if not results:
        return
    signal_rows = [_stamped(row, tx.now) for result in results for row in result.signals]
    if signal_rows:
        bulk_insert(tx, signals, signal_rows)
    _insert_verdict_rows(tx, [_stamped(result.verdict, tx.now) for result in results])
    ids = [result.item_id for result in results]
    for chunk in chunks(ids):
        tx.conn.execute(_MARK_ANALYSED, {"ids": chunk})


def insert_verdicts(tx: Tx, found: Sequence[tuple[str, Verdict]]) -> None:
    _insert_verdict_rows(tx, [_stamped(_verdict_row(item_id, v), tx.now) for item_id, v in found])


def _insert_verdict_rows(tx: Tx, rows: list[dict[str, Any]]) -> None:
    # Under the audit chain's lock, so that verdict ids commit in order and the feed never skips one.
    audit_log.lock(tx)
    bulk_insert(tx, verdicts, rows)


def _stamped(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {**row, "created_at": now}


def _signal_row(item_id: str, s: Signal) -> dict[str, Any]:
    evidence = {"spans": [asdict(span) for span in s.spans], "details": dict(s.details)}
    return {
        "item_id": item_id,
        "analyzer": s.analyzer,
        "analyzer_version": s.analyzer_version,
        "label": s.label,
        "score": s.score,
        "evidence": evidence,
    }


def _verdict_row(item_id: str, v: Verdict) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "policy": v.policy,
        "actions": _action_rows(v.actions),
        "reasons": list(v.reasons),
        "rules": list(v.rules),
        "shadow": [{"rule": s.rule, "actions": _action_rows(s.actions), "reason": s.reason} for s in v.shadow],
    }


def mark_failed(tx: Tx, item_id: str, error: str) -> None:
    tx.conn.execute(items.update().where(items.c.id == item_id).values(status=ItemStatus.FAILED.value, error=error))
