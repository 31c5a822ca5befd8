"""Notices (DSA Art. 16): anyone, with or without an account, reports an item with a reason and an explanation.

The notifier gets an acknowledgement and a receipt (a secret shown once, kept as its SHA-256) to read the
notice's status and outcome later. The notice joins the item's case (review/notice_cases.py); a trusted
flagger's is marked and comes first. The policy is then asked again with the new `notices` count
(review/reevaluate.py).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from beffroi import audit, ids
from beffroi.access import Permission, Principal
from beffroi.domain import Item, Notice, NoticeStatus, NotifierKind
from beffroi.errors import BeffroiError, NotFound
from beffroi.policy.base import Policy
from beffroi.review import cases, floods, notice_cases, notifications
from beffroi.review.reevaluate import reevaluate
from beffroi.store import audit_log, items_store, notices_store
from beffroi.store.schema import items
from beffroi.store.writer import Tx

log = logging.getLogger(__name__)

RECEIPT_PREFIX = "ntr_"


@dataclass(frozen=True)
class Draft:
    """A notice as sent: the item (its Beffroi id, or its platform and remote id) and what the notifier says."""

    reason: str  # a ground's key, already checked against the grounds in force (review/grounds.py)
    explanation: str
    item_id: str | None = None
    platform: str | None = None
    remote_id: str | None = None
    name: str | None = None
    email: str | None = None
    reason_text: str = ""  # the ground's label, as the acknowledgement words it


@dataclass(frozen=True)
class Sender:
    principal: Principal | None  # a member's or trusted flagger's token, when one was sent
    address: str | None  # the client's address: the rate limit's last resort

    def source_key(self, email: str | None) -> str:
        if self.principal is not None:
            return f"member:{self.principal.member_id}"  # every token of a member counts as one source
        if email:
            return f"email:{email.strip().lower()}"
        return f"address:{self.address or 'unknown'}"

    @property
    def actor(self) -> str:
        return f"member:{self.principal.member_id}" if self.principal else "anonymous"


@dataclass(frozen=True)
class Received:
    notice: Notice
    receipt: str  # shown once: only its hash is stored


@dataclass(frozen=True)
class Refused:
    retry_after: int  # seconds


def receipt_hash(receipt: str) -> str:
    # Receipts are 256 random bits: a fast hash is enough, there is nothing to brute-force.
    return hashlib.sha256(receipt.encode()).hexdigest()


def receive(
    tx: Tx, draft: Draft, sender: Sender, limit: int, policy_for: Callable[[str], Policy], sla: cases.Sla
) -> Received | Refused:
    source = sender.source_key(draft.email)
    admission = floods.admit(tx, source, limit, sender.actor)
    if admission.refused_for is not None:
        return Refused(admission.refused_for)
    item = _locked_item(tx, draft)
    trusted = sender.principal is not None and sender.principal.can(Permission.NOTICE_TRUSTED, item.space)
    notice_id, receipt = ids.new_id("ntc"), RECEIPT_PREFIX + secrets.token_urlsafe(32)
    reason = f"notice {notice_id}: {draft.reason}"
    case_id, priority, events = notice_cases.join(tx, item, trusted, reason, sender.actor, sla)
    notice = Notice(
        id=notice_id,
        item_id=item.id,
        space=item.space,
        case_id=case_id,
        reason=draft.reason,
        explanation=draft.explanation,
        notifier_kind=_kind(draft, sender, trusted),
        notifier_name=draft.name or (sender.principal.name if sender.principal else None),
        notifier_email=draft.email,
        trusted=trusted,
        flagged=admission.flood,
        status=NoticeStatus.RECEIVED,
        received_at=tx.now,
    )
    member_id = sender.principal.member_id if sender.principal else None
    notices_store.insert(tx, notice, member_id=member_id, source_key=source, receipt_hash=receipt_hash(receipt))
    notifications.queue(
        tx,
        notifications.NOTICE_ACKNOWLEDGED,
        notice.id,
        item.space,
        notice.id,
        acknowledgement(notice, item, draft.reason_text),
    )
    events.append(
        audit.NoticeReceived(
            sender.actor,
            notice.id,
            item.id,
            case_id,
            notice.reason,
            notice.notifier_kind.value,
            trusted,
            floods.source_digest(source),
            priority,
        )
    )
    events += _judged_again(tx, item, policy_for, sender.actor, sla)
    audit_log.append(tx, events)
    return Received(notice, receipt)


def _judged_again(
    tx: Tx, item: Item, policy_for: Callable[[str], Policy], actor: str, sla: cases.Sla
) -> list[audit.AuditEvent]:
    try:
        policy = policy_for(item.space)
    except BeffroiError as exc:  # a stored version that does not load here: the notice is kept all the same
        log.warning("notice on %s: not judged again (%s)", item.id, exc.message)
        return []
    return reevaluate(tx, item, policy, actor, sla)


def acknowledgement(notice: Notice, item: Item, reason_text: str) -> dict[str, Any]:
    """What the notifier is told at once (DSA Art. 16(4)): a mailer or the platform words and sends it."""
    return {
        "notice": notice.id,
        "received_at": notice.received_at.isoformat(),
        "item": {
            "id": item.id,
            "platform": item.source.platform,
            "remote_id": item.source.remote_id,
            "url": item.source.url,
        },
        "reason": notice.reason,
        "reason_text": reason_text or notice.reason,
        "trusted": notice.trusted,
        "notifier": {"name": notice.notifier_name, "email": notice.notifier_email},
        "status_url": f"/v1/notices/{notice.id}",
    }


def _locked_item(tx: Tx, draft: Draft) -> Item:
    """The item reported, its row locked (PostgreSQL) so that the worker's verdict and this notice serialise."""
    if draft.item_id is not None:
        condition = items.c.id == draft.item_id
        named = f"no item {draft.item_id!r}"
    else:
        condition = sa.and_(items.c.source_platform == draft.platform, items.c.source_remote_id == draft.remote_id)
        named = f"no item from {draft.platform} with remote id {draft.remote_id!r}"
    item_id = tx.conn.execute(sa.select(items.c.id).where(condition).with_for_update()).scalar()
    item = items_store.get_item(tx.conn, item_id) if item_id else None
    if item is None:
        raise NotFound(named, hint="a notice reports an item Beffroi has received: check its id or its source")
    return item


def _kind(draft: Draft, sender: Sender, trusted: bool) -> NotifierKind:
    if trusted:
        return NotifierKind.TRUSTED_FLAGGER
    if sender.principal is not None or draft.name or draft.email:
        return NotifierKind.PERSON
    return NotifierKind.ANONYMOUS
