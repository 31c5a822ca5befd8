"""An item ready for the writer: its row, its attachments and its audit event, built before any transaction.

Pure (no database, no files), so the same code prepares items in the API's process and in the ingest pool's
(ingest/pool.py); what the writer does with them is in ingest/service.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from beffroi import audit
from beffroi.domain import ItemStatus
from beffroi.ingest.models import ItemIn

PENDING = ItemStatus.PENDING.value


@dataclass(slots=True)
class PreparedItem:
    id: str
    key: tuple[str, str]  # (platform, remote_id): read many times per batch
    row: dict[str, Any]  # the items row, less received_at: that is the transaction's time
    actor: str
    event_data: str  # its ItemIngested event's data, canonical JSON: the writer only chains it
    priority: int
    media_rows: list[dict[str, Any]] = field(default_factory=list)
    attachment_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def space(self) -> str:
        return str(self.row["space_id"])

    def event(self) -> audit.EventRecord:
        return audit.EventRecord(audit.ItemIngested.type, self.actor, self.id, self.event_data)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled by value, as a plain tuple: a thousand come back from the ingest pool per batch, and the
        # default (a state dict per object) cost the API's process 18 us an item to unpickle.
        return (PreparedItem, (*(getattr(self, name) for name in self.__slots__),))


def prepare(
    item_id: str,
    payload: ItemIn,
    actor: str,
    priority: int,
    attachment_rows: list[dict[str, Any]] | None = None,
    media_rows: list[dict[str, Any]] | None = None,
) -> PreparedItem:
    attached = attachment_rows or []
    source = payload.source
    row = {
        "id": item_id,
        "space_id": payload.space,
        "author_id": payload.author.id,
        "author_handle": payload.author.handle,
        "author_name": payload.author.display_name,
        "source_platform": source.platform,
        "source_remote_id": source.remote_id,
        "source_url": source.url,
        "text": payload.text,
        "context": payload.context_dict(),
        "published_at": payload.published_at,
        "status": PENDING,
        "error": None,
    }
    event = audit.ItemIngested(
        actor=actor,
        item_id=item_id,
        space=payload.space,
        source_platform=source.platform,
        source_remote_id=source.remote_id,
        text_sha256=audit.text_digest(payload.text),
        media=[str(r["sha256"] or r["url"]) for r in attached],
    )
    data = audit.canonical_json(event.data())
    key = (source.platform, source.remote_id)
    return PreparedItem(item_id, key, row, actor, data, priority, media_rows or [], attached)
