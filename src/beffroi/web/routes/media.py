"""Media: upload bytes once (stored by SHA-256), then reference them from items; download for review."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from beffroi import audit
from beffroi.access import Permission, Principal
from beffroi.errors import Forbidden, NotFound, PayloadTooLarge
from beffroi.runtime import Runtime
from beffroi.store import audit_log, media_store
from beffroi.store.schema import media
from beffroi.store.sql import insert_ignore
from beffroi.store.writer import Tx
from beffroi.web.auth import Caller, RuntimeDep
from beffroi.web.schemas import MediaOut

router = APIRouter(prefix="/v1/media", tags=["media"])


@router.post(
    "",
    status_code=201,
    response_model=MediaOut,
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {}}, "required": True}},
)
async def upload_media(request: Request, caller: Caller, runtime: RuntimeDep) -> MediaOut:
    if caller.spaces_with(Permission.ITEM_SUBMIT) == frozenset():
        raise Forbidden(f"{caller.name} may not submit content to any space")
    limit = runtime.settings.max_media_bytes
    declared_size = int(request.headers.get("content-length") or 0)
    if declared_size > limit:
        raise PayloadTooLarge(
            f"the file is {declared_size} bytes; the limit is {limit}",
            hint="raise BEFFROI_MAX_MEDIA_BYTES, or send a smaller file",
        )
    data = await _read_limited(request, limit)
    declared = request.headers.get("content-type", "").split(";")[0].strip() or None
    if declared == "application/octet-stream":
        declared = None  # "some bytes": let the content say what it is
    return await run_in_threadpool(_store, runtime, caller, data, declared)


def _store(runtime: Runtime, caller: Principal, data: bytes, declared: str | None) -> MediaOut:
    row = runtime.ingestor.store_media(data, declared)

    def write(tx: Tx) -> None:
        known = media_store.exists(tx.conn, row["sha256"])
        insert_ignore(tx, media, [dict(row, created_at=tx.now)], ["sha256"])
        if not known:
            audit_log.append(
                tx,
                [audit.MediaStored(f"member:{caller.member_id}", row["sha256"], row["mime_type"], row["size"])],
            )

    runtime.db.writer.run(write)
    return MediaOut(sha256=row["sha256"], mime_type=row["mime_type"], size=row["size"])


async def _read_limited(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                f"the file is over the limit of {limit} bytes",
                hint="raise BEFFROI_MAX_MEDIA_BYTES, or send a smaller file",
            )
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/{sha256}", response_class=Response, responses={200: {"content": {"application/octet-stream": {}}}})
def download_media(sha256: str, caller: Caller, runtime: RuntimeDep) -> Response:
    with runtime.db.read() as conn:
        mime_type = media_store.mime_type(conn, sha256)
        spaces = media_store.spaces_using(conn, sha256)
    readable = caller.spaces_with(Permission.ITEM_READ)
    if mime_type is None or not runtime.blobs.exists(sha256) or (readable is not None and not readable & spaces):
        raise NotFound(f"no media {sha256}")
    return Response(runtime.blobs.read(sha256), media_type=mime_type)
