"""Media given by URL: fetched before analysis; a refusal is recorded, a failure of the remote end retried."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from beffroi.cli.common import OPERATOR
from beffroi.domain import Item, ItemStatus
from beffroi.ingest.models import ItemIn
from beffroi.runtime import Runtime
from beffroi.settings import Settings
from beffroi.store import items_store
from tests.support import item
from tests.web.test_items import PNG


class Remote:
    """A media server: serves a PNG, refuses, or fails the first times."""

    def __init__(self) -> None:
        self.failures_left = 1

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/photo.png":
            return httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"})
        if request.url.path == "/flaky.png":
            if self.failures_left:
                self.failures_left -= 1
                return httpx.Response(503)
            return httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"})
        if request.url.path == "/page.html":
            return httpx.Response(200, content=b"<html></html>", headers={"Content-Type": "text/html"})
        return httpx.Response(404)


@pytest.fixture
def remote_runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(settings, http_transport=httpx.MockTransport(Remote()))
    rt.migrate()
    from beffroi.cli.admin import ensure_default_space

    ensure_default_space(rt)
    yield rt
    rt.close()


def _analysed(runtime: Runtime, *urls: str) -> list[Item]:
    payloads = [ItemIn.model_validate(item("photo", media=[{"url": url}])) for url in urls]
    ids = [r.id for r in runtime.ingestor.submit(payloads, OPERATOR).result()]
    worker = runtime.worker("fetch-test")
    for _ in range(40):
        worker.run_once()
        with runtime.db.read() as conn:
            found = items_store.get_items(conn, ids)
        if all(i.status != ItemStatus.PENDING for i in found.values()):
            break
        time.sleep(0.03)
    return [found[i] for i in ids]


def test_referenced_media_is_fetched_and_stored(remote_runtime: Runtime) -> None:
    (fetched,) = _analysed(remote_runtime, "https://media.example/photo.png")
    attachment = fetched.attachments[0]
    assert fetched.status == ItemStatus.ANALYSED
    assert attachment.mime_type == "image/png" and attachment.error is None
    assert remote_runtime.blobs.read(attachment.sha256) == PNG


def test_a_refusal_is_recorded_and_analysis_goes_on(remote_runtime: Runtime) -> None:
    missing, not_media = _analysed(remote_runtime, "https://media.example/gone.png", "https://media.example/page.html")
    assert missing.status == not_media.status == ItemStatus.ANALYSED
    assert "answered 404" in missing.attachments[0].error
    assert "not a supported media type" in not_media.attachments[0].error


def test_a_failing_remote_is_retried(remote_runtime: Runtime) -> None:
    (flaky,) = _analysed(remote_runtime, "https://media.example/flaky.png")
    assert flaky.status == ItemStatus.ANALYSED
    assert flaky.attachments[0].sha256 is not None
