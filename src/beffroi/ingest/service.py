"""Ingest: check each item, store new ones with their media, queue their analysis, audit; skip known ones."""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from beffroi.access import Permission, Principal
from beffroi.errors import BeffroiError, Forbidden, InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from beffroi.ids import new_id
from beffroi.ingest.media_types import compatible, sniff
from beffroi.ingest.models import ItemIn, MediaIn
from beffroi.ingest.prepared import PreparedItem, prepare
from beffroi.pipeline.queue import WorkQueue
from beffroi.settings import Settings
from beffroi.store import audit_log
from beffroi.store.blobs import BlobStore
from beffroi.store.database import Database
from beffroi.store.schema import attachments, items, media, spaces
from beffroi.store.sql import bulk_insert, chunks, insert_ignore, marker
from beffroi.store.writer import Tx


@dataclass(frozen=True)
class IngestResult:
    id: str
    created: bool  # False: an item with this (platform, remote_id) was already stored; nothing changed


@dataclass
class _Merge:
    """Submissions waiting for the writer; they are stored together, in one set of statements."""

    entries: list[tuple[list[PreparedItem], Future[list[IngestResult]]]] = field(default_factory=list)

    def items(self) -> list[PreparedItem]:
        return [p for prepared, _ in self.entries for p in prepared]

    def finish(self, stored: Future[list[IngestResult]]) -> None:
        # Runs once the writer has committed (or failed): only now may callers be told "stored".
        error = stored.exception()
        offset = 0
        for prepared, future in self.entries:
            if error is not None:
                future.set_exception(error)
                continue
            future.set_result(stored.result()[offset : offset + len(prepared)])
            offset += len(prepared)


class Ingestor:
    def __init__(self, db: Database, blobs: BlobStore, settings: Settings, queue: WorkQueue):
        self.db = db
        self.blobs = blobs
        self.settings = settings
        self.queue = queue
        self._spaces: set[str] = set()
        self._spaces_lock = threading.Lock()
        self.on_stored: Callable[[], None] = lambda: None  # wakes in-process workers after a commit
        self._open_merge: _Merge | None = None
        self._merge_lock = threading.Lock()

    def submit(
        self,
        payloads: Sequence[ItemIn],
        principal: Principal,
        *,
        priority: int = 0,
        prefix: str = "items",
        checked: bool = False,
    ) -> Future[list[IngestResult]]:
        """Check everything first, so a bad item stores nothing of its batch; then hand over to the writer.

        `checked`: the caller already set aside what `problems()` found (an import), so skip that pass."""
        prepared = self.prepare(payloads, principal, prefix=prefix, priority=priority, checked=checked)
        return self.submit_prepared(prepared)

    def submit_prepared(self, prepared: list[PreparedItem]) -> Future[list[IngestResult]]:
        """Hand items already checked and prepared (here or in the ingest pool) to the writer."""
        future: Future[list[IngestResult]] = Future()
        with self._merge_lock:
            merge, opened = self._open_merge, self._open_merge is None
            if merge is None:
                merge = self._open_merge = _Merge()
            merge.entries.append((prepared, future))
        if opened:  # the first since the last flush schedules one; the others ride along with it
            flush = self.db.writer.submit(lambda tx: self._flush(tx, merge))
            flush.add_done_callback(merge.finish)
        return future

    def _flush(self, tx: Tx, merge: _Merge) -> list[IngestResult]:
        with self._merge_lock:
            if self._open_merge is merge:
                self._open_merge = None  # closed: later submissions open the next merge
        return self.store(tx, merge.items())

    def problems(self, payloads: Sequence[ItemIn], principal: Principal, *, prefix: str) -> list[dict[str, Any]]:
        """What is wrong with each item (space, rights, size), each with its `loc` and `index`."""
        found: list[dict[str, Any]] = []
        for index, payload in enumerate(payloads):
            found.extend(dict(p, index=index) for p in self._check(payload, principal, _loc(prefix, index)))
        return found

    def prepare(
        self, payloads: Sequence[ItemIn], principal: Principal, *, prefix: str, priority: int = 0, checked: bool = False
    ) -> list[PreparedItem]:
        problems = [] if checked else self.problems(payloads, principal, prefix=prefix)
        if problems:
            first = problems[0]
            raise _first_error(first, problems)
        actor = f"member:{principal.member_id}"
        return [self._prepare_one(p, _loc(prefix, i), actor, priority) for i, p in enumerate(payloads)]

    def _check(self, payload: ItemIn, principal: Principal, where: str) -> list[dict[str, Any]]:
        problems = []
        if not self.space_exists(payload.space):
            problems.append(
                _problem(
                    where + ".space",
                    f"unknown space {payload.space!r}",
                    422,
                    f"create it first: beffroi space add {payload.space}",
                )
            )
        elif not principal.can(Permission.ITEM_SUBMIT, payload.space):
            problems.append(_problem(where + ".space", f"{principal.name} may not submit to {payload.space!r}", 403))
        if len(payload.text) > self.settings.max_text_chars:
            problems.append(
                _problem(
                    where + ".text",
                    f"text is {len(payload.text)} characters; the limit is {self.settings.max_text_chars}",
                    413,
                    "split it, or raise BEFFROI_MAX_TEXT_CHARS",
                )
            )
        return problems

    def may_submit(self, spaces: set[str], principal: Principal) -> bool:
        """Every space exists and the principal may submit to it: the ingest pool's items need no other check."""
        return all(self.space_exists(space) and principal.can(Permission.ITEM_SUBMIT, space) for space in spaces)

    def _prepare_one(self, payload: ItemIn, where: str, actor: str, priority: int) -> PreparedItem:
        item_id = new_id("itm")
        media_rows: list[dict[str, Any]] = []
        attachment_rows = [
            self._attachment(item_id, media_rows, position, ref, f"{where}.media[{position}]")
            for position, ref in enumerate(payload.media)
        ]
        return prepare(item_id, payload, actor, priority, attachment_rows, media_rows)

    def _attachment(
        self, item_id: str, media_rows: list[dict[str, Any]], position: int, ref: MediaIn, where: str
    ) -> dict[str, Any]:
        row: dict[str, Any] = {
            "item_id": item_id,
            "position": position,
            "sha256": None,
            "mime_type": ref.mime_type,
            "url": ref.url,
            "error": None,
        }
        if ref.data is not None:
            media_row = self.store_media(_decode(ref.data, where), ref.mime_type, where)
            media_rows.append(media_row)
            row.update(sha256=media_row["sha256"], mime_type=media_row["mime_type"])
        elif ref.sha256 is not None:
            row.update(sha256=ref.sha256, mime_type=self._known_media_type(ref.sha256, where))
        return row

    def store_media(self, data: bytes, declared: str | None, where: str = "media") -> dict[str, Any]:
        """Check size and type, write the blob; the caller inserts the returned row in its transaction."""
        if len(data) > self.settings.max_media_bytes:
            raise PayloadTooLarge(
                f"{where}: {len(data)} bytes; the limit is {self.settings.max_media_bytes}",
                hint="raise BEFFROI_MAX_MEDIA_BYTES, or send a smaller file",
            )
        sniffed = sniff(data)
        allowed = self.settings.media_type_set
        if sniffed is None or sniffed not in allowed:
            raise UnsupportedMediaType(
                f"{where}: the bytes are not a supported media type",
                hint=f"accepted: {', '.join(sorted(allowed))}",
            )
        if declared is not None and not compatible(declared, sniffed):
            raise UnsupportedMediaType(
                f"{where}: declared as {declared} but the bytes are {sniffed}",
                hint="send the right mime_type, or leave it out",
            )
        sha256 = self.blobs.put(data)
        return {"sha256": sha256, "mime_type": sniffed, "size": len(data)}

    def _known_media_type(self, sha256: str, where: str) -> str:
        with self.db.read() as conn:
            found = conn.execute(sa.select(media.c.mime_type).where(media.c.sha256 == sha256)).scalar()
        if found is None:
            raise InvalidRequest(
                f"{where}.sha256: no media {sha256} is stored",
                hint="upload it first with POST /v1/media, or send it inline as data",
            )
        return str(found)

    def space_exists(self, space: str) -> bool:
        if space in self._spaces:
            return True
        with self.db.read() as conn:
            known = set(conn.execute(sa.select(spaces.c.id)).scalars())
        with self._spaces_lock:
            self._spaces = known
        return space in known

    def store(self, tx: Tx, batch: Sequence[PreparedItem]) -> list[IngestResult]:
        unique = list({p.key: p for p in reversed(batch)}.values())[::-1]  # first occurrence of a key wins
        for p in unique:
            p.row["received_at"] = tx.now
        inserted = insert_ignore(tx, items, [p.row for p in unique], ["source_platform", "source_remote_id"])
        # The usual case, new items only, needs no lookup of who won each key.
        fresh = inserted == len(unique)
        stored = {p.key: p.id for p in unique} if fresh else _ids_by_key(tx, [p.key for p in unique])
        created = [p for p in unique if stored[p.key] == p.id]
        insert_ignore(tx, media, [dict(r, created_at=tx.now) for p in created for r in p.media_rows], ["sha256"])
        rows = [row for p in created for row in p.attachment_rows]
        bulk_insert(tx, attachments, rows)
        for priority in sorted({p.priority for p in created}):
            self.queue.enqueue(tx, [p.id for p in created if p.priority == priority], priority)
        if created:
            tx.after_commit.append(self.on_stored)
        audit_log.append_records(tx, [p.event() for p in created])
        # Only the winner of each key has its own id stored: a retry or an in-batch repeat gets the winner's.
        return [IngestResult(stored[p.key], created=p.id == stored[p.key]) for p in batch]


def _ids_by_key(tx: Tx, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    # One platform at a time: a one-column IN is far cheaper to build and run than an IN over pairs.
    by_platform: dict[str, list[str]] = {}
    for platform, remote_id in keys:
        by_platform.setdefault(platform, []).append(remote_id)
    found: dict[tuple[str, str], str] = {}
    for platform, remote_ids in by_platform.items():
        for chunk in chunks(remote_ids, 900):
            # Written out rather than `in_(chunk)`: SQLAlchemy names every expanded value, and at a thousand
            # items a batch that cost more than the query itself.
            sql = (
                f"SELECT source_remote_id, id FROM items WHERE source_platform = {marker(tx)} "
                f"AND source_remote_id IN ({', '.join([marker(tx)] * len(chunk))})"
            )
            rows = tx.conn.exec_driver_sql(sql, (platform, *chunk))
            found.update({(platform, remote_id): item_id for remote_id, item_id in rows})
    return found


def _loc(prefix: str, index: int) -> str:
    # A single item is addressed as `item`; items of a batch or an import as `items[3]`.
    return prefix if prefix == "item" else f"{prefix}[{index}]"


def _decode(data: str, where: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest(
            f"{where}.data is not valid base64", hint="encode the bytes with standard base64"
        ) from None


def _problem(loc: str, message: str, status: int, hint: str | None = None) -> dict[str, Any]:
    problem: dict[str, Any] = {"loc": loc, "message": message, "status": status}
    if hint:
        problem["hint"] = hint
    return problem


def _first_error(first: dict[str, Any], problems: list[dict[str, Any]]) -> BeffroiError:
    kinds: dict[int, type[BeffroiError]] = {403: Forbidden, 413: PayloadTooLarge}
    kind = kinds.get(int(first["status"]), InvalidRequest)
    details = [{k: v for k, v in p.items() if k not in ("status", "index")} for p in problems]
    return kind(f"{first['loc']}: {first['message']}", hint=first.get("hint"), details=details)
