"""Request and response shapes of notices and notifications."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from beffroi.domain import Notice
from beffroi.ingest.models import SLUG
from beffroi.review.notices import Draft
from beffroi.review.notifications import Notification

MAX_EXPLANATION_CHARS = 5000
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class ItemRefIn(BaseModel):
    """The item reported: its Beffroi id, or the platform it comes from and its id there."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, max_length=40, examples=["itm_..."])
    platform: str | None = Field(default=None, pattern=SLUG, examples=["mastodon"])
    remote_id: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _one_way(self) -> ItemRefIn:
        by_id = self.id is not None
        by_source = self.platform is not None or self.remote_id is not None
        if by_id == by_source or (by_source and (self.platform is None or self.remote_id is None)):
            raise ValueError("give the item's id, or its platform and remote_id")
        return self


class NotifierIn(BaseModel):
    """Who reports: both optional (anonymous notices are accepted), used only to answer the notifier."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=EMAIL)


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: ItemRefIn
    reason: str = Field(
        description="A ground's key: GET /v1/notices/reasons (or GET /v1/grounds) lists them.", examples=["threats"]
    )
    explanation: str = Field(
        min_length=1,
        max_length=MAX_EXPLANATION_CHARS,
        description="Why the item is illegal or against the rules (DSA Art. 16(2)(a)).",
    )
    notifier: NotifierIn = Field(default_factory=NotifierIn)
    good_faith: bool = Field(
        description="The notifier confirms in good faith that the notice is accurate and complete (DSA Art. 16(2)(d))."
    )

    @field_validator("explanation")
    @classmethod
    def _says_something(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("explain why the item should be looked at")
        return text.strip()

    @field_validator("good_faith")
    @classmethod
    def _confirmed(cls, confirmed: bool) -> bool:
        if not confirmed:
            raise ValueError("a notice needs the notifier's confirmation that it is made in good faith")
        return confirmed

    def draft(self) -> Draft:
        return Draft(
            reason=self.reason,
            explanation=self.explanation,
            item_id=self.item.id,
            platform=self.item.platform,
            remote_id=self.item.remote_id,
            name=self.notifier.name,
            email=self.notifier.email,
        )


class AcknowledgementOut(BaseModel):
    id: str
    received_at: datetime
    receipt: str  # shown once: read the notice with it (header X-Notice-Receipt or ?receipt=)
    status: str
    item_id: str
    reason: str
    trusted: bool


class NoticeStatusOut(BaseModel):
    """What the notifier sees with the receipt."""

    id: str
    item_id: str
    reason: str
    explanation: str
    trusted: bool
    status: str  # received | decided
    received_at: datetime
    outcome: dict[str, Any] | None  # once decided
    decided_at: datetime | None

    @classmethod
    def of(cls, notice: Notice) -> NoticeStatusOut:
        return cls(
            id=notice.id,
            item_id=notice.item_id,
            reason=notice.reason,
            explanation=notice.explanation,
            trusted=notice.trusted,
            status=notice.status.value,
            received_at=notice.received_at,
            outcome=dict(notice.outcome) if notice.outcome is not None else None,
            decided_at=notice.decided_at,
        )


class NoticeOut(NoticeStatusOut):
    """What staff see: also who sent it, whether it came in a flood, and its case."""

    space: str
    case_id: str | None
    flagged: bool
    notifier: dict[str, str | None]

    @classmethod
    def of(cls, notice: Notice) -> NoticeOut:
        return cls(
            **NoticeStatusOut.of(notice).model_dump(),
            space=notice.space,
            case_id=notice.case_id,
            flagged=notice.flagged,
            notifier={
                "kind": notice.notifier_kind.value,
                "name": notice.notifier_name,
                "email": notice.notifier_email,
            },
        )


class ReasonOut(BaseModel):
    key: str
    description: str  # the ground's label, in English
    label_fr: str
    illegal: bool  # illegal content (a law is named) rather than against the terms


class NotificationOut(BaseModel):
    id: int
    kind: str
    recipient_kind: str
    recipient: str
    space: str
    subject: str
    body: dict[str, Any]
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, sent: Notification) -> NotificationOut:
        return cls(**dataclasses.asdict(sent))
