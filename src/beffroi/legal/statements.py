"""DSA statements of reasons (Art. 17(3)): what the author of restricted content is told, and what a notifier
learns of the outcome. Field values use the DSA Transparency Database's codes where it has them, so the same
record can be submitted there later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from beffroi.domain import Decision, DecisionAction, Ground, Item

VISIBILITY = {
    DecisionAction.LABEL: "DECISION_VISIBILITY_CONTENT_LABELLED",
    DecisionAction.HIDE: "DECISION_VISIBILITY_CONTENT_DISABLED",
    DecisionAction.REMOVE: "DECISION_VISIBILITY_CONTENT_REMOVED",
    DecisionAction.SUSPEND_ACCOUNT: "DECISION_VISIBILITY_CONTENT_DISABLED",
    DecisionAction.TERMINATE_ACCOUNT: "DECISION_VISIBILITY_CONTENT_REMOVED",
    DecisionAction.REPORT_AUTHORITIES: "DECISION_VISIBILITY_CONTENT_REMOVED",
}
ACCOUNT = {
    DecisionAction.SUSPEND_ACCOUNT: "DECISION_ACCOUNT_SUSPENDED",
    DecisionAction.TERMINATE_ACCOUNT: "DECISION_ACCOUNT_TERMINATED",
}
CONTENT_TYPES = {"image": "CONTENT_TYPE_IMAGE", "video": "CONTENT_TYPE_VIDEO", "audio": "CONTENT_TYPE_AUDIO"}
OUT_OF_COURT = {
    "fr": "Vous pouvez aussi saisir un organisme certifié de règlement extrajudiciaire des litiges (DSA, art. 21).",
    "en": "You may also refer the dispute to a certified out-of-court dispute settlement body (DSA, Art. 21).",
}
JUDICIAL = {"fr": "Vous pouvez à tout moment saisir la justice.", "en": "You may go to court at any time."}


@dataclass(frozen=True)
class Circumstances:
    """How the case came to a reviewer: it decides the statement's source and automated-detection fields."""

    source_type: str  # SOURCE_ARTICLE_16 (a notice), SOURCE_TRUSTED_NOTIFIER, SOURCE_VOLUNTARY (own initiative)
    automated_detection: bool  # a policy rule flagged it from the analyzers' signals


@dataclass(frozen=True)
class Appealable:
    until: datetime
    code: str


def restricts(action: DecisionAction) -> bool:
    """Only restrictions call for a statement of reasons; allowing content restricts nobody."""
    return action is not DecisionAction.ALLOW


def statement_of_reasons(
    decision: Decision, items: Sequence[Item], circumstances: Circumstances, appeal: Appealable | None
) -> dict[str, Any]:
    assert decision.effective_at is not None
    return {
        "decision_id": decision.id,
        "space": decision.space,
        "decided_at": decision.effective_at.isoformat(),
        "decision": {  # Art. 17(3)(a): the restriction and its scope
            "action": decision.action.value,
            "visibility": VISIBILITY.get(decision.action),
            "account": ACCOUNT.get(decision.action),
        },
        "items": [_item(item) for item in items],
        "content_type": _content_types(items),
        "facts": decision.statement,  # (b): facts and circumstances relied on
        "source_type": circumstances.source_type,
        "automated": {  # (c): automated means, in detection and in the decision
            "detection": circumstances.automated_detection,
            "decision": "AUTOMATED_DECISION_NOT_AUTOMATED",  # a reviewer decided
        },
        "ground": ground_basis(decision.ground),  # (d) legal or (e) contractual ground
        "redress": redress(decision.id, appeal),  # (f)
    }


def ground_basis(ground: Ground | None) -> dict[str, Any] | None:
    if ground is None:
        return None
    return {
        "key": ground.key,
        "label": {"fr": ground.label_fr, "en": ground.label_en},
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT"
        if ground.illegal
        else "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "legal_reference": ground.legal_reference,
        "terms_reference": ground.terms_reference,
        "category": ground.category,
    }


def redress(decision_id: str, appeal: Appealable | None) -> dict[str, Any]:
    found: dict[str, Any] = {"out_of_court": OUT_OF_COURT, "judicial": JUDICIAL}
    if appeal is not None:
        day = f"{appeal.until:%Y-%m-%d}"
        found["appeal"] = {
            "decision_id": decision_id,
            "code": appeal.code,
            "until": appeal.until.isoformat(),
            "how": {
                "fr": f"Pour contester cette décision, envoyez avant le {day} une réclamation qui explique pourquoi, "
                f"avec le numéro de décision {decision_id} et le code de recours {appeal.code}. "
                "Une autre personne que celle qui a décidé l'examinera.",
                "en": f"To contest this decision, send a complaint explaining why before {day}, with the decision "
                f"number {decision_id} and the appeal code {appeal.code}. Someone other than the person who "
                "decided will review it.",
            },
        }
    return found


def outcome_for_notifier(decision: Decision) -> dict[str, Any]:
    """What a notice's author learns (DSA Art. 16(5)): the decision, its ground and its reasons."""
    assert decision.effective_at is not None
    ground = decision.ground
    return {
        "decision_id": decision.id,
        "action": decision.action.value,
        "ground": None
        if ground is None
        else {"key": ground.key, "label": {"fr": ground.label_fr, "en": ground.label_en}},
        "statement": decision.statement,
        "decided_at": decision.effective_at.isoformat(),
        "redress": {"out_of_court": OUT_OF_COURT, "judicial": JUDICIAL},
    }


def _item(item: Item) -> dict[str, Any]:
    return {"id": item.id, "platform": item.source.platform, "remote_id": item.source.remote_id, "url": item.source.url}


def _content_types(items: Sequence[Item]) -> list[str]:
    found = {"CONTENT_TYPE_TEXT" for item in items if item.text.strip()}
    for item in items:
        for attachment in item.attachments:
            kind = (attachment.mime_type or "").partition("/")[0]
            found.add(CONTENT_TYPES.get(kind, "CONTENT_TYPE_OTHER"))
    return sorted(found)
