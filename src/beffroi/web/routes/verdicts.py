"""The verdict feed: platforms poll it to publish what was approved and take down what was removed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from beffroi.access import Permission
from beffroi.errors import NotFound
from beffroi.store import verdict_feed
from beffroi.store.verdict_feed import FeedEntry
from beffroi.web import cursor
from beffroi.web.auth import Caller, RuntimeDep
from beffroi.web.schemas import ActionOut, VerdictOut

router = APIRouter(prefix="/v1/verdicts", tags=["verdicts"])


class FeedVerdictOut(BaseModel):
    cursor: str
    item_id: str
    space: str
    source: dict[str, str | None]  # platform, remote_id, url: what to publish or take down, where
    disposition: str  # allow | hold | hide | remove
    actions: list[ActionOut]
    policy: str
    reasons: list[str]
    rules: list[str]
    created_at: datetime

    @classmethod
    def of(cls, entry: FeedEntry) -> FeedVerdictOut:
        verdict = VerdictOut.of(entry.verdict)
        return cls(
            cursor=cursor.of(entry.id),
            item_id=entry.item_id,
            space=entry.space,
            source={"platform": entry.source.platform, "remote_id": entry.source.remote_id, "url": entry.source.url},
            disposition=entry.verdict.disposition.value,
            actions=verdict.actions,
            policy=verdict.policy,
            reasons=verdict.reasons,
            rules=verdict.rules,
            created_at=entry.created_at,
        )


class FeedPage(BaseModel):
    verdicts: list[FeedVerdictOut]
    next: str  # pass as `after` next time; the same cursor again when nothing new came


@router.get("", response_model=FeedPage)
def feed(
    caller: Caller,
    runtime: RuntimeDep,
    after: Annotated[
        str | None, Query(description="The `next` cursor of the previous call; none: from the start.")
    ] = None,
    space: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> FeedPage:
    if space is not None and not caller.can(Permission.ITEM_READ, space):
        raise NotFound(f"no space {space!r}", hint="list the spaces you can see: GET /v1/spaces")
    start = cursor.parse(after)
    with runtime.db.read() as conn:
        found = verdict_feed.entries(
            conn, caller.spaces_with(Permission.ITEM_READ), space=space, after=start, limit=limit
        )
    return FeedPage(verdicts=[FeedVerdictOut.of(e) for e in found], next=cursor.of(found[-1].id if found else start))
