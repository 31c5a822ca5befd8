"""Response shapes of the API, built from the domain objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from beffroi.domain import NOT_HELD, Action, Approval, Item, Member, Publication, Signal, Space, Verdict


class SpanOut(BaseModel):
    start: int
    end: int
    text: str


class SignalOut(BaseModel):
    label: str
    score: float
    analyzer: str
    analyzer_version: str
    spans: list[SpanOut]
    details: dict[str, Any]

    @classmethod
    def of(cls, s: Signal) -> SignalOut:
        return cls(
            label=s.label,
            score=s.score,
            analyzer=s.analyzer,
            analyzer_version=s.analyzer_version,
            spans=[SpanOut(start=x.start, end=x.end, text=x.text) for x in s.spans],
            details=dict(s.details),
        )


class ActionOut(BaseModel):
    kind: str
    params: dict[str, Any]


class ShadowOut(BaseModel):
    rule: str
    actions: list[ActionOut]  # what it would have done: never applied
    reason: str


class VerdictOut(BaseModel):
    policy: str
    actions: list[ActionOut]
    reasons: list[str]
    rules: list[str]  # the rules that fired
    shadow: list[ShadowOut]  # shadow rules that matched: recorded, never acting

    @classmethod
    def of(cls, v: Verdict) -> VerdictOut:
        return cls(
            policy=v.policy,
            actions=actions_out(v.actions),
            reasons=list(v.reasons),
            rules=list(v.rules),
            shadow=[ShadowOut(rule=s.rule, actions=actions_out(s.actions), reason=s.reason) for s in v.shadow],
        )


def actions_out(actions: tuple[Action, ...]) -> list[ActionOut]:
    return [ActionOut(kind=a.kind.value, params=dict(a.params)) for a in actions]


class ApprovalOut(BaseModel):
    member: dict[str, str]  # id and name of the admin who decided
    decision: str  # approve | reject
    note: str | None
    at: datetime

    @classmethod
    def of(cls, a: Approval) -> ApprovalOut:
        return cls(member={"id": a.member_id, "name": a.member_name}, decision=a.decision.value, note=a.note, at=a.at)


class PublicationOut(BaseModel):
    """Whether the item waits for its space's admins before publication (docs/holds.md)."""

    state: str  # not_held | held | published | rejected
    approvals_required: int
    approvals_given: int
    approvals: list[ApprovalOut]  # every decision, approvals and a rejection, oldest first
    held_at: datetime | None
    decided_at: datetime | None

    @classmethod
    def of(cls, p: Publication) -> PublicationOut:
        return cls(
            state=p.state.value,
            approvals_required=p.approvals_required,
            approvals_given=len(p.approved_by),
            approvals=[ApprovalOut.of(a) for a in p.approvals],
            held_at=p.held_at,
            decided_at=p.decided_at,
        )


class AttachmentOut(BaseModel):
    position: int
    sha256: str | None
    mime_type: str | None
    url: str | None
    error: str | None


class ItemOut(BaseModel):
    id: str
    created: bool | None = None  # on ingest: False when this source id was already stored
    space: str
    status: str
    error: str | None
    author: dict[str, str | None]
    source: dict[str, str | None]
    text: str
    media: list[AttachmentOut]
    published_at: datetime | None
    received_at: datetime
    context: dict[str, Any]
    signals: list[SignalOut]
    verdict: VerdictOut | None
    publication: PublicationOut

    @classmethod
    def of(
        cls,
        item: Item,
        signals: list[Signal],
        verdict: Verdict | None,
        created: bool | None = None,
        publication: Publication = NOT_HELD,
    ) -> ItemOut:
        return cls(
            id=item.id,
            created=created,
            space=item.space,
            status=item.status.value,
            error=item.error,
            author={
                "id": item.author.id,
                "handle": item.author.handle,
                "display_name": item.author.display_name,
            },
            source={
                "platform": item.source.platform,
                "remote_id": item.source.remote_id,
                "url": item.source.url,
            },
            text=item.text,
            media=[
                AttachmentOut(position=a.position, sha256=a.sha256, mime_type=a.mime_type, url=a.url, error=a.error)
                for a in item.attachments
            ],
            published_at=item.published_at,
            received_at=item.received_at,
            context=dict(item.context),
            signals=[SignalOut.of(s) for s in signals],
            verdict=VerdictOut.of(verdict) if verdict else None,
            publication=PublicationOut.of(publication),
        )


class IngestResultOut(BaseModel):
    id: str
    created: bool


class BatchOut(BaseModel):
    results: list[IngestResultOut]
    created: int
    duplicates: int


class MediaOut(BaseModel):
    sha256: str
    mime_type: str
    size: int


class SpaceOut(BaseModel):
    id: str
    name: str
    created_at: datetime

    @classmethod
    def of(cls, space: Space) -> SpaceOut:
        return cls(id=space.id, name=space.name, created_at=space.created_at)


class GrantOut(BaseModel):
    role: str
    space: str | None


class MemberOut(BaseModel):
    id: str
    name: str
    disabled: bool
    grants: list[GrantOut]

    @classmethod
    def of(cls, member: Member) -> MemberOut:
        return cls(
            id=member.id,
            name=member.name,
            disabled=member.disabled,
            grants=[GrantOut(role=g.role.value, space=g.space) for g in member.grants],
        )


class TokenOut(BaseModel):
    id: str
    token: str  # shown once: only its hash is stored
    expires_at: datetime | None = None
