"""Fetching media given by URL before analysis, into the blob store, with the same checks as uploads.

A permanent failure (404, wrong type, too large) is recorded on the attachment and analysis goes on without
it; a transient one (timeout, 5xx) fails the job so that it is retried with backoff.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import httpx

from beffroi.domain import Attachment, Item
from beffroi.errors import BeffroiError
from beffroi.store.schema import attachments, media
from beffroi.store.sql import insert_ignore
from beffroi.store.writer import Tx


class TransientFetchError(Exception):
    """Worth retrying later: the remote end is slow or failing, not refusing."""


class MediaFetcher:
    def __init__(
        self,
        client: httpx.Client,
        store_media: Callable[[bytes, str | None, str], dict[str, Any]],
        write: Callable[[Callable[[Tx], None]], None],
        max_bytes: int,
    ):
        self.client = client  # injected, so tests give it an httpx.MockTransport
        self.store_media = store_media
        self.write = write
        self.max_bytes = max_bytes

    @staticmethod
    def pending(item: Item) -> bool:
        return any(_owed(a) for a in item.attachments)

    def fetch(self, item: Item) -> Item:
        """The item with its referenced media fetched (or their errors recorded); raises TransientFetchError."""
        updated = [self._fetched(item.id, a) if _owed(a) else a for a in item.attachments]
        return dataclasses.replace(item, attachments=tuple(updated))

    def _fetched(self, item_id: str, attachment: Attachment) -> Attachment:
        assert attachment.url is not None
        where = f"media[{attachment.position}] ({attachment.url})"
        try:
            data, declared = self._download(attachment.url)
            row = self.store_media(data, attachment.mime_type or declared, where)
        except BeffroiError as exc:
            return self._record(item_id, dataclasses.replace(attachment, error=exc.message), None)
        return self._record(
            item_id, dataclasses.replace(attachment, sha256=row["sha256"], mime_type=row["mime_type"]), row
        )

    def _download(self, url: str) -> tuple[bytes, str | None]:
        try:
            with self.client.stream("GET", url) as response:
                if response.status_code >= 500 or response.status_code == 429:
                    raise TransientFetchError(f"{url} answered {response.status_code}")
                if response.status_code >= 400:
                    raise _Refused(f"{url} answered {response.status_code}")
                return self._body(response, url), response.headers.get("content-type", "").split(";")[0] or None
        except httpx.TransportError as exc:
            raise TransientFetchError(f"{url}: {type(exc).__name__}: {exc}") from exc

    def _body(self, response: httpx.Response, url: str) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise _Refused(f"{url} is over the limit of {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _record(self, item_id: str, attachment: Attachment, row: dict[str, Any] | None) -> Attachment:
        def write(tx: Tx) -> None:
            if row is not None:
                insert_ignore(tx, media, [dict(row, created_at=tx.now)], ["sha256"])
            tx.conn.execute(
                attachments.update()
                .where(attachments.c.item_id == item_id, attachments.c.position == attachment.position)
                .values(sha256=attachment.sha256, mime_type=attachment.mime_type, error=attachment.error)
            )

        self.write(write)
        return attachment


def _owed(attachment: Attachment) -> bool:
    """Given by URL and neither fetched nor refused yet."""
    return bool(attachment.url) and attachment.sha256 is None and attachment.error is None


class _Refused(BeffroiError):
    """The remote end refused for good (4xx, too large): recorded on the attachment, not retried."""
