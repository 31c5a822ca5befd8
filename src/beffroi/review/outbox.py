"""Notifications to people outside Beffroi (notifiers, authors), kept until a platform or mailer delivers them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from beffroi.store.schema import notifications
from beffroi.store.writer import Tx


@dataclass(frozen=True)
class Notification:
    kind: str  # notice.outcome, decision.statement, appeal.outcome
    recipient_kind: str  # notifier | author
    recipient: str  # a notice id, or platform:author id
    space: str
    subject: str  # the notice, decision or appeal it is about
    body: dict[str, Any]


def send(tx: Tx, outgoing: list[Notification]) -> None:
    if not outgoing:
        return
    tx.conn.execute(
        notifications.insert(),
        [
            {
                "kind": n.kind,
                "recipient_kind": n.recipient_kind,
                "recipient": n.recipient,
                "space_id": n.space,
                "subject": n.subject,
                "body": n.body,
                "created_at": tx.now,
                "delivered_at": None,
            }
            for n in outgoing
        ],
    )
