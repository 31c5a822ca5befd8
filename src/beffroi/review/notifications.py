"""Notifications: what must reach a person outside Beffroi (a notifier, an author).

Beffroi sends no mail itself: platforms and mailers read the outbox (GET /v1/notifications, cursor paging by
id), deliver each message their own way, and mark it delivered. A message is written in the transaction of
the event it tells about, so none is owed without being queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi import audit
from beffroi.errors import NotFound
from beffroi.store import audit_log
from beffroi.store.schema import notifications
from beffroi.store.sql import aware
from beffroi.store.writer import Tx

NOTICE_ACKNOWLEDGED = "notice.acknowledged"
NOTIFIER = "notifier"


@dataclass(frozen=True)
class Notification:
    id: int
    kind: str
    recipient_kind: str
    recipient: str
    space: str
    subject: str
    body: dict[str, Any]
    created_at: datetime
    delivered_at: datetime | None


def queue(tx: Tx, kind: str, recipient: str, space: str, subject: str, body: dict[str, Any]) -> None:
    """Owe a message to a notifier (recipient: the notice's id)."""
    tx.conn.execute(
        notifications.insert().values(
            kind=kind,
            recipient_kind=NOTIFIER,
            recipient=recipient,
            space_id=space,
            subject=subject,
            body=body,
            created_at=tx.now,
        )
    )


def after(
    conn: Connection, cursor: int, spaces: frozenset[str] | None, space: str | None, undelivered: bool, limit: int
) -> list[Notification]:
    """Oldest first, from the cursor on: a relay keeps the last id it saw and asks again from there."""
    query = sa.select(notifications).where(notifications.c.id > cursor).order_by(notifications.c.id).limit(limit)
    if spaces is not None:
        query = query.where(notifications.c.space_id.in_(sorted(spaces)))
    if space is not None:
        query = query.where(notifications.c.space_id == space)
    if undelivered:
        query = query.where(notifications.c.delivered_at.is_(None))
    return [_notification(row) for row in conn.execute(query)]


def get(conn: Connection, notification_id: int) -> Notification | None:
    row = conn.execute(sa.select(notifications).where(notifications.c.id == notification_id)).first()
    return None if row is None else _notification(row)


def mark_delivered(tx: Tx, notification_id: int, actor: str) -> Notification:
    """Idempotent: a relay that retries after a lost answer changes nothing the second time."""
    found = get(tx.conn, notification_id)
    if found is None:
        raise NotFound(f"no notification {notification_id}")
    if found.delivered_at is None:
        tx.conn.execute(notifications.update().where(notifications.c.id == notification_id).values(delivered_at=tx.now))
        audit_log.append(tx, [audit.NotificationDelivered(actor, notification_id, found.kind, found.recipient)])
    return get(tx.conn, notification_id) or found


def _notification(row: sa.Row[Any]) -> Notification:
    return Notification(
        id=row.id,
        kind=row.kind,
        recipient_kind=row.recipient_kind,
        recipient=row.recipient,
        space=row.space_id,
        subject=row.subject,
        body=dict(row.body),
        created_at=aware(row.created_at),
        delivered_at=aware(row.delivered_at) if row.delivered_at else None,
    )
