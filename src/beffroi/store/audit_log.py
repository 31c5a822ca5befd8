"""Appending to the hash-chained audit log inside a write transaction, and verifying the whole chain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi.audit import (
    GENESIS_HASH,
    AuditEvent,
    EventRecord,
    ItemIngested,
    chain_hash,
    text_digest,
)

__all__ = ["GENESIS_HASH", "VerifyResult", "append", "append_records", "chain_hash", "lock", "verify"]
from beffroi.store.schema import audit_events, audit_head, items
from beffroi.store.sql import bulk_insert
from beffroi.store.writer import Tx

# Any constant: on PostgreSQL, appenders in every process take this advisory lock so the chain stays linear.
_PG_AUDIT_LOCK = 0x62_65_66_66


@dataclass
class _Head:
    seq: int
    hash: str
    dirty: bool = False


def append(tx: Tx, events: list[AuditEvent]) -> None:
    append_records(tx, [e.record() for e in events])


def append_records(tx: Tx, records: list[EventRecord]) -> None:
    """Chain events whose data is already canonical JSON (ingest prepares its events outside the transaction)."""
    if not records:
        return
    head = _head(tx)
    at = tx.now.isoformat()
    rows = []
    for record in records:
        seq = head.seq + 1
        digest = chain_hash(head.hash, seq, record.type, at, record.actor, record.subject, record.data)
        rows.append(
            {
                "seq": seq,
                "type": record.type,
                "at": at,
                "actor": record.actor,
                "subject": record.subject,
                "data": record.data,
                "prev_hash": head.hash,
                "hash": digest,
            }
        )
        head.seq, head.hash, head.dirty = seq, digest, True
    bulk_insert(tx, audit_events, rows)


def lock(tx: Tx) -> None:
    """Take the chain's lock now rather than at the first append, serialising the rest of this transaction with
    every other audited write until it commits. For writes that read before they write (the next policy version
    number), and for the verdict feed: rows inserted after it commit in the order their ids were drawn
    (PostgreSQL; SQLite writers are serialised anyway). One lock for all, so no two can deadlock."""
    _head(tx)


def _head(tx: Tx) -> _Head:
    head = tx.state.get("audit_head")
    if isinstance(head, _Head):
        return head
    if tx.dialect == "postgresql":
        tx.conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    row = tx.conn.execute(sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).first()
    head = _Head(row.seq, row.hash) if row else _Head(0, GENESIS_HASH)
    tx.state["audit_head"] = head
    tx.before_commit["audit_head"] = _save_head
    tx.on_rollback["audit_head"] = _forget_head
    return head


def _save_head(tx: Tx) -> None:
    head = tx.state.get("audit_head")
    if not isinstance(head, _Head) or not head.dirty:
        return
    updated = tx.conn.execute(audit_head.update().where(audit_head.c.id == 1).values(seq=head.seq, hash=head.hash))
    if updated.rowcount == 0:
        tx.conn.execute(audit_head.insert().values(id=1, seq=head.seq, hash=head.hash))


def _forget_head(tx: Tx) -> None:
    # A rolled-back task may have appended: reload the head from the database on the next append.
    tx.state.pop("audit_head", None)


@dataclass(frozen=True)
class VerifyResult:
    events: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(conn: Connection, *, max_problems: int = 20) -> VerifyResult:
    problems: list[str] = []
    expected_prev, expected_seq = GENESIS_HASH, 1
    for row in _rows(conn):
        if row.seq != expected_seq:
            problems.append(f"events {expected_seq}..{row.seq - 1} are missing (deleted rows)")
        if row.prev_hash != expected_prev:
            problems.append(f"event {row.seq}: prev_hash does not match the event before it")
        digest = chain_hash(row.prev_hash, row.seq, row.type, row.at, row.actor, row.subject, row.data)
        if digest != row.hash:
            problems.append(f"event {row.seq} ({row.type}, {row.subject}) was altered: its hash does not match")
        expected_prev, expected_seq = row.hash, row.seq + 1
        if len(problems) >= max_problems:
            break
    head = conn.execute(sa.select(audit_head.c.seq, audit_head.c.hash)).first()
    last_seq = expected_seq - 1
    if head is not None and len(problems) < max_problems and (head.seq, head.hash) != (last_seq, expected_prev):
        problems.append(f"the chain ends at event {last_seq} but its head says {head.seq}: events were removed")
    if head is None and last_seq > 0:
        problems.append("the chain head row is missing")
    problems.extend(_altered_texts(conn, max_problems - len(problems)))
    return VerifyResult(events=last_seq, problems=problems)


def _altered_texts(conn: Connection, budget: int, page: int = 2000) -> Iterator[str]:
    """Items whose stored text no longer hashes to the digest their ingest event recorded."""
    query = (
        sa.select(items.c.id, items.c.text, audit_events.c.seq, audit_events.c.data)
        .join(audit_events, sa.and_(audit_events.c.subject == items.c.id, audit_events.c.type == ItemIngested.type))
        .order_by(items.c.id)
        .limit(page)
    )
    after = ""
    while budget > 0:
        rows = conn.execute(query.where(items.c.id > after)).all()
        for row in rows:
            if text_digest(row.text) != orjson.loads(row.data)["text_sha256"]:
                budget -= 1
                yield f"item {row.id}: its text differs from the text received (audit event {row.seq})"
        if len(rows) < page:
            return
        after = rows[-1].id


def _rows(conn: Connection, page: int = 5000) -> Iterator[sa.Row[tuple[int, str, str, str, str, str, str, str]]]:
    after = 0
    columns = [audit_events.c[n] for n in ("seq", "type", "at", "actor", "subject", "data", "prev_hash", "hash")]
    while True:
        batch = conn.execute(
            sa.select(*columns).where(audit_events.c.seq > after).order_by(audit_events.c.seq).limit(page)
        ).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].seq
