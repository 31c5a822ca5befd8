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


class DecisionAction(StrEnum):
    """What a reviewer rules. Item actions become verdicts; account actions and reports go to the sinks too."""

    ALLOW = "allow"  # no action, or restore what an earlier decision restricted
    LABEL = "label"
    HIDE = "hide"
    REMOVE = "remove"
    SUSPEND_ACCOUNT = "suspend_account"
    TERMINATE_ACCOUNT = "terminate_account"
    REPORT_AUTHORITIES = "report_authorities"


class DecisionStatus(StrEnum):
    PENDING = "pending"  # waits for a second reviewer; no effect until confirmed
    REFUSED = "refused"  # the second reviewer refused it: it never took effect
    EFFECTIVE = "effective"  # took effect: the ruling in force on its case
    SUPERSEDED = "superseded"  # a later decision on the case replaced it; kept as history


class AppealStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class AppealOutcome(StrEnum):
    UPHELD = "upheld"  # the contested decision stands
    REVERSED = "reversed"  # undone: a new decision allows (restores) the content
    MODIFIED = "modified"  # replaced by a lighter action


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


# What a verdict does with the item itself, weakest first; exactly one of them leads a verdict's actions.
DISPOSITIONS = (ActionKind.ALLOW, ActionKind.HOLD, ActionKind.HIDE, ActionKind.REMOVE)


class PublicationState(StrEnum):
    NOT_HELD = "not_held"  # no verdict held it (or no verdict yet)
    HELD = "held"  # unpublished, waiting for its space's admins
    PUBLISHED = "published"  # approved: an allow verdict followed the hold
    REJECTED = "rejected"  # an admin refused it: a remove verdict followed the hold


class ApprovalChoice(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


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

    @property
    def disposition(self) -> ActionKind:
        """What happens to the item itself: the verdict's disposition action, allow when it names none."""
        return next((a.kind for a in self.actions if a.kind in DISPOSITIONS), ActionKind.ALLOW)


@dataclass(frozen=True)
class Approval:
    """One admin's decision on a held item."""

    member_id: str
    member_name: str
    decision: ApprovalChoice
    note: str | None
    at: datetime


@dataclass(frozen=True)
class Publication:
    """Whether an item waits for approval before publication, and who approved or rejected it."""

    state: PublicationState
    approvals_required: int = 0
    approvals: tuple[Approval, ...] = ()
    held_at: datetime | None = None
    decided_at: datetime | None = None

    @property
    def approved_by(self) -> tuple[Approval, ...]:
        return tuple(a for a in self.approvals if a.decision is ApprovalChoice.APPROVE)


NOT_HELD = Publication(PublicationState.NOT_HELD)


@dataclass(frozen=True)
class PolicyVersion:
    """One version of a space's policy, never edited once stored. Space None: the installation default."""

    space: str | None
    version: int  # 1, 2, 3... per space
    name: str  # NAME@VERSION as its YAML declares it
    digest: str  # SHA-256 of the source
    source: str  # the YAML, exactly as submitted
    note: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class PolicyActivation:
    """Which version a space applies since when; the newest activation of a space is the one in force."""

    space: str | None
    version: int
    digest: str
    activated_by: str
    activated_at: datetime


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
    reason: str  # a ground's key (review/grounds.py)
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


@dataclass(frozen=True)
class Ground:
    """A policy ground a decision rests on, and the DSA statement-of-reasons category it reports under."""

    key: str
    label_fr: str
    label_en: str
    illegal: bool  # illegal content under a law, rather than content incompatible with the terms
    category: str  # a DSA Transparency Database STATEMENT_CATEGORY_*
    legal_reference: str | None = None  # the provisions broken, when illegal
    terms_reference: str | None = None  # the clause of the terms, when not illegal
    description_fr: str = ""
    description_en: str = ""

    @property
    def reference(self) -> str:
        return (self.legal_reference if self.illegal else self.terms_reference) or ""


@dataclass(frozen=True)
class Decision:
    """A reviewer's ruling on a case. Never edited: a later decision supersedes it."""

    id: str
    case_id: str
    space: str
    action: DecisionAction
    ground: Ground | None  # as it read when the decision was made; None for an allow without ground
    statement: str  # the statement of reasons: facts and why
    item_ids: tuple[str, ...]
    reviewer: str  # member id
    status: DecisionStatus
    created_at: datetime
    second_review: tuple[str, ...] = ()  # why a second reviewer must confirm it; empty when none must
    second_reviewer: str | None = None
    second_reviewed_at: datetime | None = None
    refusal_note: str | None = None
    effective_at: datetime | None = None
    supersedes: str | None = None
    superseded_by: str | None = None
    appeal_id: str | None = None  # the appeal whose outcome it is


@dataclass(frozen=True)
class Appeal:
    """An author contests a decision; a reviewer who took no part in it decides."""

    id: str
    decision_id: str
    case_id: str
    space: str
    author: str  # platform:author id
    explanation: str
    status: AppealStatus
    filed_at: datetime
    filed_by: str  # "author" (with the appeal code) or "member:<id>" (a platform on the author's behalf)
    outcome: AppealOutcome | None = None
    statement: str | None = None
    reviewer: str | None = None
    outcome_decision_id: str | None = None  # the decision a reversal or modification made
    decided_at: datetime | None = None
