"""The outbox of messages owed to people outside Beffroi, for platforms and mailers to relay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from beffroi.access import Permission
from beffroi.errors import NotFound
from beffroi.review import notifications
from beffroi.web.auth import Caller, RuntimeDep
from beffroi.web.notice_schemas import NotificationOut

router = APIRouter(prefix="/v1/notifications", tags=["notifications"])


@router.get("", response_model=list[NotificationOut])
def list_notifications(
    caller: Caller,
    runtime: RuntimeDep,
    after: Annotated[int, Query(ge=0, description="The last id seen: list the ones after it (paging).")] = 0,
    space: str | None = None,
    undelivered: Annotated[bool, Query(description="Only those not yet marked delivered.")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[NotificationOut]:
    """Oldest first. A relay keeps the last id it saw and asks again with `after`."""
    visible = caller.spaces_with(Permission.NOTIFICATION_RELAY)
    if space is not None:
        caller.require(Permission.NOTIFICATION_RELAY, space)
    with runtime.db.read() as conn:
        found = notifications.after(conn, after, visible, space, undelivered, limit)
    return [NotificationOut.of(n) for n in found]


@router.post("/{notification_id}/delivered", response_model=NotificationOut)
def mark_delivered(notification_id: int, caller: Caller, runtime: RuntimeDep) -> NotificationOut:
    """Record that the message reached its recipient. Marking it again changes nothing."""
    with runtime.db.read() as conn:
        found = notifications.get(conn, notification_id)
    if found is None or not caller.can(Permission.NOTIFICATION_RELAY, found.space):
        raise NotFound(f"no notification {notification_id}")
    actor = f"member:{caller.member_id}"
    delivered = runtime.db.writer.run(lambda tx: notifications.mark_delivered(tx, notification_id, actor))
    return NotificationOut.of(delivered)
