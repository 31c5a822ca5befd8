"""Notices (DSA Art. 16): anyone reports an item, with or without an account, and follows it with a receipt."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from beffroi.access import Permission
from beffroi.errors import NotFound, TooManyRequests, Unauthorized
from beffroi.review import notices
from beffroi.store import notices_store
from beffroi.store.notices_store import NoticeFilter
from beffroi.web.auth import Caller, MaybeCaller, RuntimeDep
from beffroi.web.notice_schemas import AcknowledgementOut, NoticeIn, NoticeOut, NoticeStatusOut, ReasonOut

router = APIRouter(prefix="/v1/notices", tags=["notices"])


@router.get("/reasons", response_model=list[ReasonOut])
def list_reasons(runtime: RuntimeDep) -> list[ReasonOut]:
    """The reasons a notice may give: the policy grounds decisions rest on (GET /v1/grounds has them in full).
    No token needed, so that any form can offer them."""
    return [
        ReasonOut(key=g.key, description=g.label_en, label_fr=g.label_fr, illegal=g.illegal)
        for g in runtime.decision_rules.grounds
    ]


@router.post("", status_code=201, response_model=AcknowledgementOut)
def create_notice(body: NoticeIn, request: Request, caller: MaybeCaller, runtime: RuntimeDep) -> AcknowledgementOut:
    """Report an item. No token needed; a member's or trusted flagger's token is used when sent. The answer
    carries the receipt, shown once, that reads the notice's status and outcome later."""
    ground = runtime.decision_rules.grounds.require(body.reason, "reason")
    draft = dataclasses.replace(body.draft(), reason_text=ground.label_en)
    sender = notices.Sender(caller, request.client.host if request.client else None)
    settings = runtime.settings
    result = runtime.db.writer.run(
        lambda tx: notices.receive(
            tx, draft, sender, settings.notice_rate_limit, runtime.policy_for, settings.review_sla_for
        )
    )
    if isinstance(result, notices.Refused):
        raise TooManyRequests(
            f"more than {settings.notice_rate_limit} notices in an hour from one source",
            retry_after=result.retry_after,
            hint=f"send again in {result.retry_after} seconds; the notices already sent are kept",
        )
    notice = result.notice
    return AcknowledgementOut(
        id=notice.id,
        received_at=notice.received_at,
        receipt=result.receipt,
        status=notice.status.value,
        item_id=notice.item_id,
        reason=notice.reason,
        trusted=notice.trusted,
    )


@router.get(
    "/{notice_id}",
    response_model=NoticeOut,
    description="With the notice's receipt (header X-Notice-Receipt or ?receipt=), its status and outcome, "
    "as the notifier sees them; with a staff token (case:read in its space), everything about it.",
)
def read_notice(
    notice_id: str,
    caller: MaybeCaller,
    runtime: RuntimeDep,
    receipt: Annotated[str | None, Query(description="The receipt given with the acknowledgement.")] = None,
    x_notice_receipt: Annotated[str | None, Header()] = None,
) -> Response:
    given = receipt or x_notice_receipt
    if given:
        with runtime.db.read() as conn:
            found = notices_store.get(conn, notice_id, receipt_hash=notices.receipt_hash(given))
        if found is None:  # a wrong receipt and a missing notice look alike
            raise NotFound(f"no notice {notice_id!r} with this receipt", hint="use the receipt given with the notice")
        return _json(NoticeStatusOut.of(found))
    if caller is None:
        raise Unauthorized(
            "reading a notice needs its receipt or a staff token",
            hint="send the receipt as the X-Notice-Receipt header or the receipt query parameter",
        )
    with runtime.db.read() as conn:
        found = notices_store.get(conn, notice_id)
    if found is None or not caller.can(Permission.CASE_READ, found.space):
        raise NotFound(f"no notice {notice_id!r}")
    return _json(NoticeOut.of(found))


@router.get("", response_model=list[NoticeOut])
def list_notices(
    caller: Caller,
    runtime: RuntimeDep,
    space: str | None = None,
    item: str | None = None,
    case: str | None = None,
    flagged: bool | None = None,
    before: Annotated[str | None, Query(description="A notice id: list older ones (paging).")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[NoticeOut]:
    """Notices in the caller's spaces, newest first."""
    wanted = NoticeFilter(caller.spaces_with(Permission.CASE_READ), space, item, case, flagged, before)
    with runtime.db.read() as conn:
        return [NoticeOut.of(n) for n in notices_store.find(conn, wanted, limit)]


def _json(body: NoticeStatusOut) -> Response:
    # The notifier's view and the staff view are different shapes: serialise each as itself.
    return Response(body.model_dump_json(), media_type="application/json")
