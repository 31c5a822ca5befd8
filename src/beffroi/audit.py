"""Typed audit events, one dataclass each, and the hash that chains them.

Every event is stored with `hash = SHA-256(prev_hash, seq, type, at, actor, subject, data)`: editing a row
breaks its hash, deleting one breaks the sequence, and the head row catches a truncated tail.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import orjson

from beffroi.domain import Verdict

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    type: ClassVar[str]
    actor: str  # "member:<id>", "system", "worker:<name>"

    @property
    def subject(self) -> str:
        raise NotImplementedError

    def data(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _data_fields(type(self))}

    def record(self) -> EventRecord:
        """As the chain stores it; built before a write transaction, it leaves only the hashing to it."""
        return EventRecord(self.type, self.actor, self.subject, canonical_json(self.data()))


@dataclass(frozen=True)
class ItemEvent(AuditEvent):
    item_id: str

    @property
    def subject(self) -> str:
        return self.item_id


@dataclass(frozen=True)
class MemberEvent(AuditEvent):
    member_id: str

    @property
    def subject(self) -> str:
        return self.member_id


_fields: dict[type[AuditEvent], tuple[str, ...]] = {}


def _data_fields(kind: type[AuditEvent]) -> tuple[str, ...]:
    # dataclasses.fields() rebuilds its answer on every call; ingest asks once per item.
    if kind not in _fields:
        _fields[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.name != "actor")
    return _fields[kind]


class EventRecord(NamedTuple):
    """An event as the chain stores it, its data already canonical JSON."""

    type: str
    actor: str
    subject: str
    data: str


def canonical_json(data: dict[str, Any]) -> str:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()


def chain_hash(prev_hash: str, seq: int, type_: str, at: str, actor: str, subject: str, data: str) -> str:
    payload = "\n".join((prev_hash, str(seq), type_, at, actor, subject, data))
    return hashlib.sha256(payload.encode()).hexdigest()


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ItemIngested(ItemEvent):
    type = "item.ingested"
    space: str
    source_platform: str
    source_remote_id: str
    text_sha256: str  # lets `audit verify` prove the stored text is the text received
    media: list[str]


@dataclass(frozen=True)
class SignalsRecorded(ItemEvent):
    type = "signals.recorded"
    signals: list[dict[str, Any]]


@dataclass(frozen=True)
class VerdictIssued(ItemEvent):
    type = "verdict.issued"
    policy: str
    actions: list[str]
    reasons: list[str]
    rules: list[str]
    shadow: list[str]  # "rule: action, ..." for each shadow rule that matched

    @classmethod
    def of(cls, actor: str, item_id: str, verdict: Verdict) -> VerdictIssued:
        return cls(
            actor,
            item_id,
            verdict.policy,
            [a.kind.value for a in verdict.actions],
            list(verdict.reasons),
            list(verdict.rules),
            [f"{s.rule}: {', '.join(a.kind.value for a in s.actions)}" for s in verdict.shadow],
        )


@dataclass(frozen=True)
class AnalysisFailed(ItemEvent):
    type = "analysis.failed"
    attempts: int
    error: str


@dataclass(frozen=True)
class AnalysisRetried(ItemEvent):
    type = "analysis.retried"


@dataclass(frozen=True)
class MediaStored(AuditEvent):
    type = "media.stored"
    sha256: str
    mime_type: str
    size: int

    @property
    def subject(self) -> str:
        return f"media:{self.sha256}"


@dataclass(frozen=True)
class SpaceCreated(AuditEvent):
    type = "space.created"
    space: str
    name: str

    @property
    def subject(self) -> str:
        return f"space:{self.space}"


@dataclass(frozen=True)
class MemberCreated(MemberEvent):
    type = "member.created"
    name: str


@dataclass(frozen=True)
class GrantAdded(MemberEvent):
    type = "member.grant_added"
    role: str
    space: str | None


@dataclass(frozen=True)
class PasswordSet(MemberEvent):
    type = "member.password_set"


@dataclass(frozen=True)
class TokenCreated(AuditEvent):
    type = "token.created"
    token_id: str
    member_id: str
    role: str | None
    space: str | None

    @property
    def subject(self) -> str:
        return self.token_id


@dataclass(frozen=True)
class TokenRevoked(AuditEvent):
    type = "token.revoked"
    token_id: str

    @property
    def subject(self) -> str:
        return self.token_id


@dataclass(frozen=True)
class LoginFailed(AuditEvent):
    type = "member.login_failed"
    name: str

    @property
    def subject(self) -> str:
        return f"login:{self.name}"


@dataclass(frozen=True)
class CaseEvent(AuditEvent):
    case_id: str

    @property
    def subject(self) -> str:
        return self.case_id


@dataclass(frozen=True)
class CaseOpened(CaseEvent):
    type = "case.opened"
    space: str
    queue: str
    priority: int
    group: str
    item_id: str
    reason: str


@dataclass(frozen=True)
class CaseItemAdded(CaseEvent):
    type = "case.item_added"
    item_id: str
    reason: str
    priority: int  # the case's priority after this item joined


@dataclass(frozen=True)
class CasePriorityRaised(CaseEvent):
    type = "case.priority_raised"
    priority: int  # the case's priority now
    reason: str  # the rule or notice that asked for it


@dataclass(frozen=True)
class CaseClaimed(CaseEvent):
    type = "case.claimed"
    until: str


@dataclass(frozen=True)
class CaseReleased(CaseEvent):
    type = "case.released"


@dataclass(frozen=True)
class SpaceSettingsChanged(AuditEvent):
    type = "space.settings_changed"
    space: str
    settings: dict[str, Any]  # the whole document as it now is

    @property
    def subject(self) -> str:
        return f"space:{self.space}"


@dataclass(frozen=True)
class AccountLinked(MemberEvent):
    type = "member.account_linked"
    platform: str
    account_id: str


@dataclass(frozen=True)
class AccountUnlinked(MemberEvent):
    type = "member.account_unlinked"
    platform: str
    account_id: str


@dataclass(frozen=True)
class HoldPlaced(ItemEvent):
    type = "hold.placed"
    space: str
    approvals_required: int


@dataclass(frozen=True)
class ApprovalGiven(ItemEvent):
    type = "hold.approval_given"
    member_id: str
    note: str | None
    approvals: int  # approvals given so far, this one included
    approvals_required: int


@dataclass(frozen=True)
class ItemPublished(ItemEvent):
    type = "hold.published"
    approvers: list[str]  # member ids, in the order they approved


@dataclass(frozen=True)
class PublicationRejected(ItemEvent):
    type = "hold.rejected"
    member_id: str
    note: str | None


@dataclass(frozen=True)
class PolicyEvent(AuditEvent):
    space: str | None  # None: the installation default

    @property
    def subject(self) -> str:
        return f"policy:{self.space}" if self.space is not None else "policy:_default"


@dataclass(frozen=True)
class PolicyVersionCreated(PolicyEvent):
    type = "policy.version_created"
    version: int
    digest: str  # SHA-256 of the source: proves which text this version is
    note: str


@dataclass(frozen=True)
class PolicyActivated(PolicyEvent):
    type = "policy.activated"
    version: int
    digest: str
    previous_version: int | None  # None: the space inherited a policy until now


@dataclass(frozen=True)
class DecisionEvent(AuditEvent):
    decision_id: str

    @property
    def subject(self) -> str:
        return self.decision_id


@dataclass(frozen=True)
class DecisionProposed(DecisionEvent):
    type = "decision.proposed"
    case_id: str
    action: str
    ground: str | None
    statement: str
    items: list[str]
    second_review: list[str]  # why it waits for a second reviewer; empty when it takes effect at once


@dataclass(frozen=True)
class DecisionConfirmed(DecisionEvent):
    type = "decision.confirmed"
    case_id: str


@dataclass(frozen=True)
class DecisionRefused(DecisionEvent):
    type = "decision.refused"
    case_id: str
    note: str


@dataclass(frozen=True)
class DecisionTookEffect(DecisionEvent):
    type = "decision.took_effect"
    case_id: str
    action: str
    items: list[str]
    supersedes: str | None
    notices: list[str]  # notices told the outcome
    authors: list[str]  # authors sent a statement of reasons


@dataclass(frozen=True)
class AppealEvent(AuditEvent):
    appeal_id: str

    @property
    def subject(self) -> str:
        return self.appeal_id


@dataclass(frozen=True)
class AppealFiled(AppealEvent):
    type = "appeal.filed"
    decision_id: str
    author: str
    explanation_sha256: str  # the author's words stay in the appeal; the chain proves they were not changed


@dataclass(frozen=True)
class AppealDecided(AppealEvent):
    type = "appeal.decided"
    decision_id: str
    outcome: str
    statement: str
    new_decision_id: str | None


@dataclass(frozen=True)
class NoticeReceived(AuditEvent):
    type = "notice.received"
    notice_id: str
    item_id: str
    case_id: str
    reason: str
    notifier_kind: str
    trusted: bool
    source: str  # SHA-256 of what rate limits count: never the email or address itself, this log is permanent
    case_priority: int  # the case's priority after the notice

    @property
    def subject(self) -> str:
        return self.notice_id


@dataclass(frozen=True)
class NoticeFloodFlagged(AuditEvent):
    type = "notice.flood_flagged"
    source: str  # SHA-256, as in notice.received
    notices: list[str]  # the source's notices of the window, now flagged
    limit: int  # notices allowed per hour

    @property
    def subject(self) -> str:
        return f"notice-source:{self.source}"


@dataclass(frozen=True)
class NotificationDelivered(AuditEvent):
    type = "notification.delivered"
    notification_id: int
    kind: str
    recipient: str

    @property
    def subject(self) -> str:
        return f"notification:{self.notification_id}"
