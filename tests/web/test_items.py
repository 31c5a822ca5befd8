"""Ingest over the API: stored, analysed, idempotent, waited for, read back."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from beffroi.runtime import Runtime
from beffroi.settings import Settings
from beffroi.store.schema import items, jobs
from beffroi.web.app import create_app
from tests.support import count, item

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_an_item_comes_back_analysed_with_signals_and_verdict(client: TestClient) -> None:
    response = client.post("/v1/items?wait=10", json=item("On va lui couper la tête à ce maire."))
    assert response.status_code == 201
    body = response.json()
    assert body["created"] is True
    assert body["status"] == "analysed"
    labels = {s["label"]: s for s in body["signals"]}
    assert labels["language.fr"]["score"] > 0.5
    assert labels["threat"]["analyzer"] == "keywords"
    threat_span = labels["threat"]["spans"][0]
    assert body["text"][threat_span["start"] : threat_span["end"]] == threat_span["text"]
    assert body["verdict"]["policy"].startswith("beffroi-default@")
    assert {a["kind"] for a in body["verdict"]["actions"]} & {"hold", "open_case"}
    assert any("threat" in reason for reason in body["verdict"]["reasons"])


def test_harmless_text_is_allowed(client: TestClient) -> None:
    body = client.post("/v1/items?wait=10", json=item("Ce maire détruit la ville, votez contre lui.")).json()
    assert body["status"] == "analysed"
    assert [a["kind"] for a in body["verdict"]["actions"]] == ["allow"]


def test_without_wait_the_item_is_pending_then_analysed(client: TestClient) -> None:
    created = client.post("/v1/items", json=item("Hello world, nice day")).json()
    assert created["status"] == "pending"
    assert created["signals"] == []
    waited = client.post("/v1/items?wait=10", json=item("Another one")).json()
    assert waited["status"] == "analysed"
    later = client.get(f"/v1/items/{created['id']}").json()
    assert later["status"] == "analysed"
    assert any(s["label"] == "language.en" for s in later["signals"])


def test_a_retried_post_creates_no_duplicate(client: TestClient, runtime: Runtime) -> None:
    payload = item("Le même message, envoyé deux fois", remote_id="status-42")
    first = client.post("/v1/items", json=payload)
    second = client.post("/v1/items", json=payload)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["created"] is False
    assert second.json()["id"] == first.json()["id"]
    assert count(runtime, items) == 1


def test_batch_stores_new_items_and_skips_known_and_repeated_ones(client: TestClient, runtime: Runtime) -> None:
    client.post("/v1/items", json=item("already here", remote_id="known"))
    batch = [item(f"message {i}", remote_id=f"b-{i}") for i in range(50)]
    batch += [item("already here", remote_id="known"), item("repeat in batch", remote_id="b-3")]
    response = client.post("/v1/items/batch", json={"items": batch})
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["duplicates"]) == (50, 2)
    assert body["results"][3]["id"] == body["results"][-1]["id"]
    assert count(runtime, items) == 51
    assert count(runtime, jobs) <= 51


def test_inline_media_is_stored_once_by_sha256(client: TestClient, runtime: Runtime) -> None:
    media = [{"data": base64.b64encode(PNG).decode(), "mime_type": "image/png"}]
    first = client.post("/v1/items", json=item("photo", media=media)).json()
    second = client.post("/v1/items", json=item("same photo again", media=media)).json()
    sha = first["media"][0]["sha256"]
    assert sha == second["media"][0]["sha256"]
    assert runtime.blobs.read(sha) == PNG
    download = client.get(f"/v1/media/{sha}")
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"


def test_uploaded_media_can_be_referenced(client: TestClient) -> None:
    uploaded = client.post("/v1/media", content=PNG, headers={"Content-Type": "image/png"})
    assert uploaded.status_code == 201
    sha = uploaded.json()["sha256"]
    created = client.post("/v1/items", json=item("", media=[{"sha256": sha}]))
    assert created.status_code == 201
    assert created.json()["media"][0]["mime_type"] == "image/png"


def test_items_are_listed_newest_first_with_paging(client: TestClient) -> None:
    ids = [client.post("/v1/items", json=item(f"n{i}")).json()["id"] for i in range(5)]
    page = client.get("/v1/items?limit=2").json()
    assert [i["id"] for i in page] == ids[::-1][:2]
    older = client.get(f"/v1/items?limit=10&before={page[-1]['id']}").json()
    assert [i["id"] for i in older] == ids[::-1][2:]


def test_the_openapi_document_describes_the_item_and_batch_bodies(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/v1/items"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ItemIn"}
    assert {"space", "author", "source"} <= set(spec["components"]["schemas"]["ItemIn"]["required"])
    batch = spec["paths"]["/v1/items/batch"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert batch == {"$ref": "#/components/schemas/BatchIn"}
    assert spec["components"]["schemas"]["BatchIn"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/ItemIn"
    }


SHADOW_POLICY = """
name: shadow-trial
version: 1
rules:
  - name: greetings-reviewed
    description: greetings go to review
    when: item.text.contains("Bonjour")
    then:
      - open_case: {queue: greetings, priority: 10}
  - name: hide-everything-trial
    description: would hide everything
    shadow: true
    when: item.length > 0
    then:
      - hide
"""


def test_the_verdict_names_its_rules_and_records_shadow_rules_without_acting(
    settings: Settings, admin_token: str, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(SHADOW_POLICY, encoding="utf-8")
    runtime = Runtime(dataclasses.replace(settings, policy_file=str(policy)))
    with TestClient(create_app(runtime), headers={"Authorization": f"Bearer {admin_token}"}) as client:
        body = client.post("/v1/items?wait=10", json=item("Bonjour à tous")).json()
        stored = client.get(f"/v1/items/{body['id']}").json()["verdict"]
    runtime.close()
    verdict = body["verdict"]
    assert verdict["policy"] == "shadow-trial@1"
    assert verdict["rules"] == ["greetings-reviewed"]
    assert [a["kind"] for a in verdict["actions"]] == ["allow", "open_case"]  # the shadow rule's hide is not applied...
    assert verdict["shadow"] == [  # ...but recorded as what it would have done
        {
            "rule": "hide-everything-trial",
            "actions": [{"kind": "hide", "params": {}}],
            "reason": verdict["shadow"][0]["reason"],
        }
    ]
    assert "would hide everything" in verdict["shadow"][0]["reason"]
    assert stored == verdict


def test_published_times_keep_their_instant_whatever_their_offset(client: TestClient) -> None:
    # Two offsets for one instant, in one batch: each is stored in UTC and reads back as that instant.
    given = ["2026-11-23T13:00:00+01:00", "2026-11-23T12:00:00Z", "2026-11-23T12:00:00"]
    batch = [item(f"at {at}", published_at=at) for at in given]
    results = client.post("/v1/items/batch", json={"items": batch}).json()["results"]
    for result in results:
        published = datetime.fromisoformat(client.get(f"/v1/items/{result['id']}").json()["published_at"])
        assert published == datetime(2026, 11, 23, 12, tzinfo=UTC)
        assert published.utcoffset() == timedelta(0)
