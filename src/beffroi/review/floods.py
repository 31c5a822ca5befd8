"""Notice floods: one source may send BEFFROI_NOTICE_RATE_LIMIT notices an hour.

Past the limit a notice is refused (429 with Retry-After) and every notice the source sent in the hour is
flagged, with an audit event, so reviewers weigh them knowing it. Notices already accepted are kept and
stay acknowledged: a flood is recorded, never silently dropped. While flagged notices of a source remain in
its window, the ones it may still send are flagged too.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from beffroi import audit
from beffroi.store import audit_log
from beffroi.store.schema import notices
from beffroi.store.sql import aware
from beffroi.store.writer import Tx

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Admission:
    refused_for: int | None  # seconds until the source may send again; None: admitted
    flood: bool  # the source flooded within the window: flag what it sends


def source_digest(source_key: str) -> str:
    """What the audit log names: the source's key is an email or an address, and the log is permanent."""
    return hashlib.sha256(source_key.encode()).hexdigest()


def admit(tx: Tx, source_key: str, limit: int, actor: str) -> Admission:
    _one_at_a_time(tx, source_key)
    since = tx.now - WINDOW
    recent = tx.conn.execute(
        sa.select(notices.c.id, notices.c.created_at, notices.c.flagged)
        .where(notices.c.source_key == source_key, notices.c.created_at > since)
        .order_by(notices.c.created_at)
    ).all()
    if len(recent) < limit:
        return Admission(None, any(r.flagged for r in recent))
    unflagged = [r.id for r in recent if not r.flagged]
    if unflagged:  # the first refusal of the flood records it; later ones find it recorded
        tx.conn.execute(notices.update().where(notices.c.id.in_(unflagged)).values(flagged=True))
        event = audit.NoticeFloodFlagged(actor, source_digest(source_key), [r.id for r in recent], limit)
        audit_log.append(tx, [event])
    frees_at = aware(recent[len(recent) - limit].created_at) + WINDOW  # when the window holds one fewer than the limit
    return Admission(max(1, math.ceil((frees_at - tx.now).total_seconds())), True)


def _one_at_a_time(tx: Tx, source_key: str) -> None:
    # PostgreSQL serves several API processes: without this, two of them could both count limit - 1 and accept.
    if tx.dialect == "postgresql":
        tx.conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"notice:{source_key}"})
