"""The verdict feed: every verdict in the order recorded, paged by an opaque cursor, within the caller's spaces."""

from __future__ import annotations

from fastapi.testclient import TestClient

from beffroi.domain import Role
from beffroi.runtime import Runtime
from tests.support import item, token_for


def test_the_feed_pages_through_verdicts_in_order(client: TestClient) -> None:
    ids = [client.post("/v1/items?wait=10", json=item(f"Bonjour numéro {n}")).json()["id"] for n in range(3)]
    first = client.get("/v1/verdicts?limit=2").json()
    assert [v["item_id"] for v in first["verdicts"]] == ids[:2]
    entry = first["verdicts"][0]
    assert (entry["space"], entry["disposition"], entry["policy"]) == ("default", "allow", "beffroi-default@1")
    assert entry["source"]["platform"] == "mastodon"
    assert entry["actions"] == [{"kind": "allow", "params": {}}]
    assert entry["reasons"] == ["no rule matched"]
    rest = client.get(f"/v1/verdicts?after={first['next']}").json()
    assert [v["item_id"] for v in rest["verdicts"]] == ids[2:]
    idle = client.get(f"/v1/verdicts?after={rest['next']}").json()
    assert idle == {"verdicts": [], "next": rest["next"]}  # nothing new: poll again with the same cursor


def test_a_caller_sees_only_verdicts_of_spaces_they_read(client: TestClient, runtime: Runtime) -> None:
    client.post("/v1/spaces", json={"id": "town", "name": "Town hall"})
    client.post("/v1/items?wait=10", json=item("Bonjour la ville", space="town"))
    client.post("/v1/items?wait=10", json=item("Bonjour ailleurs"))
    bridge = {"Authorization": f"Bearer {token_for(runtime, 'bridge', Role.MODERATOR, 'town')}"}
    seen = client.get("/v1/verdicts", headers=bridge).json()["verdicts"]
    assert [v["space"] for v in seen] == ["town"]
    assert client.get("/v1/verdicts?space=default", headers=bridge).status_code == 404
    assert [v["space"] for v in client.get("/v1/verdicts?space=default").json()["verdicts"]] == ["default"]


def test_a_cursor_the_api_never_gave_is_refused(client: TestClient) -> None:
    refused = client.get("/v1/verdicts?after=yesterday")
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "after: 'yesterday' is not a cursor this API gave"
    assert "next" in refused.json()["error"]["hint"]
