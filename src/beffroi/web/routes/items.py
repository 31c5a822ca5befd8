"""Items: ingest one or a batch (idempotent on the source id), optionally wait for the verdict, read back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from beffroi.access import Permission, Principal
from beffroi.domain import Author, Item, ItemStatus, Source
from beffroi.errors import NotFound, PayloadTooLarge
from beffroi.ingest.models import BatchIn, ItemIn
from beffroi.ingest.pool import Limits
from beffroi.ingest.prepared import PreparedItem
from beffroi.ingest.service import IngestResult
from beffroi.pipeline.queue import PRIORITY_NORMAL, PRIORITY_WAITING
from beffroi.runtime import Runtime
from beffroi.store import holds_store, items_store
from beffroi.web.auth import Caller, RuntimeDep
from beffroi.web.schemas import BatchOut, ItemOut

router = APIRouter(prefix="/v1/items", tags=["items"])

Body = TypeVar("Body", ItemIn, BatchIn)

WaitSeconds = Annotated[
    float,
    Query(
        ge=0,
        description="Hold the response until the item is analysed, up to this many seconds "
        "(check before publish). 0 answers at once with status pending.",
    ),
]


_ITEM_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemIn"}}},
    }
}


@router.post(
    "",
    status_code=201,
    response_model=ItemOut,
    openapi_extra=_ITEM_BODY,
    responses={200: {"model": ItemOut, "description": "Already stored: the item as it is (no duplicate)."}},
)
async def create_item(request: Request, caller: Caller, runtime: RuntimeDep, wait: WaitSeconds = 0) -> Response:
    body = await _item_body(request)
    priority = PRIORITY_WAITING if wait > 0 else PRIORITY_NORMAL
    prepare = runtime.ingestor.submit
    # Inline media means decoding and writing files: keep that off the event loop.
    future = (
        await run_in_threadpool(prepare, [body], caller, priority=priority, prefix="item")
        if body.media
        else prepare([body], caller, priority=priority, prefix="item")
    )
    result = (await asyncio.wrap_future(future))[0]
    if wait > 0:
        await _wait_for(runtime, result.id, min(wait, runtime.settings.wait_max_seconds))
    if wait > 0 or not result.created or body.media:
        out = await run_in_threadpool(read_item, runtime, caller, result.id, result.created)
    else:
        out = pending_item(body, result)
    # Serialised here, once: returning the model would make FastAPI validate it all over again.
    return Response(out.model_dump_json(), status_code=201 if result.created else 200, media_type="application/json")


_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchIn"}}},
    }
}


@router.post("/batch", response_model=BatchOut, openapi_extra=_BATCH_BODY)
async def create_items(request: Request, caller: Caller, runtime: RuntimeDep) -> Response:
    raw = await request.body()
    prepared = await _prepared_in_pool(runtime, caller, raw)
    if prepared is not None:
        future = runtime.ingestor.submit_prepared(prepared)
    else:
        future = await run_in_threadpool(runtime.ingestor.submit, _batch_items(runtime, raw), caller)
    results = await asyncio.wrap_future(future)
    created = sum(r.created for r in results)
    # BatchOut's JSON, written directly: a thousand result models cost more than the rest of the answer.
    out = {
        "results": [{"id": r.id, "created": r.created} for r in results],
        "created": created,
        "duplicates": len(results) - created,
    }
    return Response(orjson.dumps(out), media_type="application/json")


async def _prepared_in_pool(runtime: Runtime, caller: Principal, raw: bytes) -> list[PreparedItem] | None:
    """The batch prepared by the ingest pool, when it has one and the batch is plain; None: prepare it here."""
    if runtime.ingest_pool is None:
        return None
    settings = runtime.settings
    limits = Limits(settings.max_batch_items, settings.max_text_chars)
    prepared = await runtime.ingest_pool.prepare_batch(raw, f"member:{caller.member_id}", PRIORITY_NORMAL, limits)
    spaces = {p.space for p in prepared or ()}
    if prepared is None or not await run_in_threadpool(runtime.ingestor.may_submit, spaces, caller):
        return None  # the in-process path gives the API's own answer: which item, which space, what to do
    return prepared


def _batch_items(runtime: Runtime, raw: bytes) -> list[ItemIn]:
    body = _validated(BatchIn, raw)
    limit = runtime.settings.max_batch_items
    if len(body.items) > limit:
        raise PayloadTooLarge(
            f"{len(body.items)} items in one batch; the limit is {limit}",
            hint="split the batch, or raise BEFFROI_MAX_BATCH_ITEMS",
        )
    return body.items


@router.get("/{item_id}", response_model=ItemOut)
def get_item(item_id: str, caller: Caller, runtime: RuntimeDep) -> ItemOut:
    return read_item(runtime, caller, item_id, None)


@router.get("", response_model=list[ItemOut])
def list_items(
    caller: Caller,
    runtime: RuntimeDep,
    space: str | None = None,
    status: ItemStatus | None = None,
    before: Annotated[str | None, Query(description="An item id: list items older than it (paging).")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ItemOut]:
    visible = caller.spaces_with(Permission.ITEM_READ)
    with runtime.db.read() as conn:
        found = items_store.list_items(
            conn, visible, space=space, status=status.value if status else None, before=before, limit=limit
        )
        held = holds_store.publications_of(conn, [item.id for item in found])
    return [ItemOut.of(item, [], None, publication=held[item.id]) for item in found]


async def _item_body(request: Request) -> ItemIn:
    return _validated(ItemIn, await request.body())


def _validated(model: type[Body], raw: bytes) -> Body:
    """The hot paths of ingest validate the raw bytes in one pass (pydantic's own JSON parser), about twice as
    cheap as FastAPI's parse-then-validate; errors keep the API's envelope."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors: list[Any] = list(exc.errors(include_url=False))
        if any(e["type"] == "json_invalid" for e in errors):
            errors = [
                {
                    "type": "json_invalid",
                    "loc": ("body",),
                    "msg": "JSON decode error",
                    "ctx": {"error": errors[0]["msg"]},
                }
            ]
        raise RequestValidationError(errors) from None


async def _wait_for(runtime: Runtime, item_id: str, timeout: float) -> None:
    def finished() -> bool:
        with runtime.db.read() as conn:
            return items_store.status_of(conn, item_id) != ItemStatus.PENDING

    async def is_done() -> bool:
        return await run_in_threadpool(finished)

    await runtime.completions.wait(item_id, timeout, is_done)


def read_item(runtime: Runtime, caller: Principal, item_id: str, created: bool | None) -> ItemOut:
    with runtime.db.read() as conn:
        item = items_store.get_item(conn, item_id)
        # An item outside the caller's spaces is reported missing, so ids reveal nothing.
        if item is None or not caller.can(Permission.ITEM_READ, item.space):
            raise NotFound(f"no item {item_id!r}")
        return ItemOut.of(
            item,
            items_store.signals_for(conn, item_id),
            items_store.verdict_for(conn, item_id),
            created,
            holds_store.publication_of(conn, item_id),
        )


def pending_item(body: ItemIn, result: IngestResult) -> ItemOut:
    # Built from the request: the hot path of ingest answers without reading back what it just wrote.
    item = Item(
        id=result.id,
        space=body.space,
        author=Author(body.author.id, body.author.handle, body.author.display_name),
        source=Source(body.source.platform, body.source.remote_id, body.source.url),
        text=body.text,
        published_at=body.published_at,
        received_at=datetime.now(UTC),
        context=body.context_dict(),
    )
    return ItemOut.of(item, [], None, created=True)
