"""Response shapes of grounds, decisions and appeals."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from beffroi.domain import Appeal, Decision, Ground


class GroundOut(BaseModel):
    key: str
    label: dict[str, str]  # {"fr": ..., "en": ...}
    description: dict[str, str]
    illegal: bool  # illegal content (legal_reference) or against the terms (terms_reference)
    legal_reference: str | None
    terms_reference: str | None
    category: str  # DSA Transparency Database statement category

    @classmethod
    def of(cls, g: Ground) -> GroundOut:
        return cls(
            key=g.key,
            label={"fr": g.label_fr, "en": g.label_en},
            description={"fr": g.description_fr, "en": g.description_en},
            illegal=g.illegal,
            legal_reference=g.legal_reference,
            terms_reference=g.terms_reference,
            category=g.category,
        )


class DecisionOut(BaseModel):
    id: str
    case_id: str
    space: str
    action: str
    ground: GroundOut | None  # as it read when decided
    statement: str
    items: list[str]
    status: str  # pending | refused | effective | superseded
    reviewer: str
    second_review: list[str]  # why a second reviewer must confirm; empty when none must
    second_reviewer: str | None
    second_reviewed_at: datetime | None
    refusal_note: str | None
    created_at: datetime
    effective_at: datetime | None
    supersedes: str | None
    superseded_by: str | None
    appeal_id: str | None

    @classmethod
    def of(cls, d: Decision) -> DecisionOut:
        return cls(
            id=d.id,
            case_id=d.case_id,
            space=d.space,
            action=d.action.value,
            ground=GroundOut.of(d.ground) if d.ground else None,
            statement=d.statement,
            items=list(d.item_ids),
            status=d.status.value,
            reviewer=d.reviewer,
            second_review=list(d.second_review),
            second_reviewer=d.second_reviewer,
            second_reviewed_at=d.second_reviewed_at,
            refusal_note=d.refusal_note,
            created_at=d.created_at,
            effective_at=d.effective_at,
            supersedes=d.supersedes,
            superseded_by=d.superseded_by,
            appeal_id=d.appeal_id,
        )


class AppealFiledOut(BaseModel):
    """What the author learns on filing: enough to refer to it, nothing about the reviewers."""

    id: str
    decision_id: str
    status: str
    filed_at: datetime


class AppealOut(BaseModel):
    id: str
    decision_id: str
    case_id: str
    space: str
    author: str
    explanation: str
    status: str  # open | decided
    filed_at: datetime
    filed_by: str
    outcome: str | None
    statement: str | None
    reviewer: str | None
    outcome_decision_id: str | None  # the decision a reversal or modification made
    decided_at: datetime | None

    @classmethod
    def of(cls, a: Appeal) -> AppealOut:
        return cls(
            id=a.id,
            decision_id=a.decision_id,
            case_id=a.case_id,
            space=a.space,
            author=a.author,
            explanation=a.explanation,
            status=a.status.value,
            filed_at=a.filed_at,
            filed_by=a.filed_by,
            outcome=a.outcome.value if a.outcome else None,
            statement=a.statement,
            reviewer=a.reviewer,
            outcome_decision_id=a.outcome_decision_id,
            decided_at=a.decided_at,
        )
