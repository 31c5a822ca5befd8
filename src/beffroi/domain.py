"""The concepts of DESIGN.md as typed data. No I/O here: the store, the pipeline and the API all speak these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"
    REVIEWER = "reviewer"
    ANALYST = "analyst"
    TRUSTED_FLAGGER = "trusted_flagger"  # DSA Art. 22: its notices are marked and reviewed first; nothing else


class ItemStatus(StrEnum):
    PENDING = "pending"  # stored, waiting for (or under) analysis
    ANALYSED = "analysed"  # every analyzer ran and the policy gave a verdict
    FAILED = "failed"  # analysis gave up after its retries; `error` says why


class ActionKind(StrEnum):
    ALLOW = "allow"
    HOLD = "hold"
    HIDE = "hide"
    REMOVE = "remove"
    LABEL = "label"
    OPEN_CASE = "open_case"
    ESCALATE = "escalate"
    NOTIFY = "notify"


class CaseStatus(StrEnum):
    OPEN = "open"  # waiting for a decision (assigned or not)
    DECIDED = "decided"  # a decision took effect; a later item or notice opens a new case


class NoticeStatus(StrEnum):
    RECEIVED = "received"  # acknowledged, waiting for its case's decision
    DECIDED = "decided"  # the outcome is recorded and owed to the notifier


class NotifierKind(StrEnum):
    ANONYMOUS = "anonymous"  # neither a name nor an email, nor a token
    PERSON = "person"  # a name or an email, or a member's token
    TRUSTED_FLAGGER = "trusted_flagger"  # a token whose member is a trusted flagger in the item's space


class CaseGroup(StrEnum):
    """What a case gathers: one item, every item of an author, or every item carrying one media."""

    ITEM = "item"
    AUTHOR = "author"
    MEDIA = "media"


@dataclass(frozen=True)
class Space:
    id: str  # a slug, used in URLs and policies
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Author:
    id: str  # the account's id on its platform
    handle: str | None = None
    display_name: str | None = None


@dataclass(frozen=True)
class Source:
    platform: str  # "mastodon", "bluesky", "api", ...
    remote_id: str  # the content's id on that platform: ingest is idempotent on (platform, remote_id)
    url: str | None = None


@dataclass(frozen=True)
class Media:
    sha256: str
    mime_type: str
    size: int


@dataclass(frozen=True)
class Attachment:
    """A media slot of an item: stored media, or a reference waiting to be fetched."""

    position: int
    sha256: str | None
    mime_type: str | None
    url: str | None
    error: str | None = None


@dataclass(frozen=True)
class Item:
    id: str
    space: str
    author: Author
    source: Source
    text: str
    published_at: datetime | None
    received_at: datetime
    context: Mapping[str, Any] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    status: ItemStatus = ItemStatus.PENDING
    error: str | None = None


@dataclass(frozen=True)
class Span:
    """A stretch of the item's text that drove a signal; offsets are characters into Item.text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Signal:
    label: str
    score: float  # in [0, 1]
    analyzer: str
    analyzer_version: str
    spans: tuple[Span, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ShadowFiring:
    """A shadow rule that matched: what it would have done, recorded but never applied."""

    rule: str
    actions: tuple[Action, ...]
    reason: str


@dataclass(frozen=True)
class Verdict:
    """What a policy decided for an item. Actions are data: sinks apply them, the policy never acts."""

    policy: str
    actions: tuple[Action, ...]
    reasons: tuple[str, ...]
    rules: tuple[str, ...] = ()  # names of the (non-shadow) rules that fired, in policy order
    shadow: tuple[ShadowFiring, ...] = ()


@dataclass(frozen=True)
class Grant:
    role: Role
    space: str | None  # None: every space


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    grants: tuple[Grant, ...]
    disabled: bool = False


@dataclass(frozen=True)
class Notice:
    """A report about an item (DSA Art. 16), with who sent it and, once its case is decided, the outcome."""

    id: str
    item_id: str
    space: str
    case_id: str | None
    reason: str  # a reason key (review/notice_reasons.py)
    explanation: str
    notifier_kind: NotifierKind
    notifier_name: str | None
    notifier_email: str | None
    trusted: bool
    flagged: bool  # part of a flood from its source
    status: NoticeStatus
    received_at: datetime
    outcome: Mapping[str, Any] | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class Case:
    """A unit of human review, in a queue of its space."""

    id: str
    space: str
    queue: str
    priority: int  # 0-100
    group: CaseGroup
    group_key: str
    status: CaseStatus
    reason: str
    reach: int
    opened_at: datetime
    due_at: datetime
    assigned_to: str | None = None
    locked_until: datetime | None = None
    closed_at: datetime | None = None
    item_ids: tuple[str, ...] = ()
