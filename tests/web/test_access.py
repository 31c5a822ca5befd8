"""Every endpoint checks role and space: nobody gets in where they don't belong."""

from __future__ import annotations

from fastapi.testclient import TestClient

from beffroi.domain import Role
from beffroi.runtime import Runtime
from tests.support import item, token_for


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_moderator_works_in_their_space_only(client: TestClient, runtime: Runtime) -> None:
    client.post("/v1/spaces", json={"id": "town", "name": "Town hall"})
    client.post("/v1/spaces", json={"id": "club", "name": "Football club"})
    mod = _as(token_for(runtime, "mod", Role.MODERATOR, "town"))
    assert client.post("/v1/items", json=item(space="town"), headers=mod).status_code == 201
    refused = client.post("/v1/items", json=item(space="club"), headers=mod)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert refused.json()["error"]["message"] == "item.space: mod may not submit to 'club'"  # the member, not the token
    elsewhere = client.post("/v1/items", json=item(space="club")).json()["id"]
    assert client.get(f"/v1/items/{elsewhere}", headers=mod).status_code == 404
    assert {i["space"] for i in client.get("/v1/items", headers=mod).json()} == {"town"}
    assert [s["id"] for s in client.get("/v1/spaces", headers=mod).json()] == ["town"]


def test_an_analyst_reads_but_does_not_submit(client: TestClient, runtime: Runtime) -> None:
    analyst = _as(token_for(runtime, "ana", Role.ANALYST, None))
    stored = client.post("/v1/items", json=item()).json()["id"]
    assert client.get(f"/v1/items/{stored}", headers=analyst).status_code == 200
    assert client.post("/v1/items", json=item(), headers=analyst).status_code == 403


def test_installation_wide_endpoints_need_a_global_admin(client: TestClient, runtime: Runtime) -> None:
    client.post("/v1/spaces", json={"id": "town", "name": "Town hall"})
    space_admin = _as(token_for(runtime, "local-admin", Role.ADMIN, "town"))
    for method, path in [
        ("GET", "/v1/members"),
        ("GET", "/v1/audit"),
        ("GET", "/v1/audit/verify"),
        ("GET", "/v1/jobs/failed"),
    ]:
        assert client.request(method, path, headers=space_admin).status_code == 403, path
    assert client.post("/v1/spaces", json={"id": "x", "name": "x"}, headers=space_admin).status_code == 403


def test_a_token_never_exceeds_its_member(client: TestClient, runtime: Runtime) -> None:
    reviewer = _as(token_for(runtime, "rev", Role.REVIEWER, None))
    escalation = client.post("/v1/tokens", json={"name": "x", "role": "admin"}, headers=reviewer)
    assert escalation.status_code == 403
    narrowed = client.post("/v1/tokens", json={"name": "ro", "role": "reviewer", "space": "default"}, headers=reviewer)
    assert narrowed.status_code == 201


def test_password_login_gives_a_token_and_revocation_ends_it(client: TestClient) -> None:
    wrong = client.post("/v1/auth/login", json={"name": "root", "password": "nope"}, headers={"Authorization": ""})
    assert wrong.status_code == 401
    login = client.post("/v1/auth/login", json={"name": "root", "password": "correct horse battery"})
    session = login.json()
    assert login.status_code == 200 and session["expires_at"]
    assert client.get("/v1/spaces", headers=_as(session["token"])).status_code == 200
    assert client.delete(f"/v1/tokens/{session['id']}").status_code == 204
    assert client.get("/v1/spaces", headers=_as(session["token"])).status_code == 401


def test_members_are_created_with_grants(client: TestClient) -> None:
    created = client.post(
        "/v1/members",
        json={
            "name": "bob",
            "password": "a long enough password",
            "grants": [{"role": "moderator", "space": "default"}],
        },
    )
    assert created.status_code == 201
    assert created.json()["grants"] == [{"role": "moderator", "space": "default"}]
    assert client.post("/v1/members", json={"name": "bob"}).status_code == 409


def test_trusted_flagger_status_is_granted_never_taken(client: TestClient, runtime: Runtime) -> None:
    minted = client.post("/v1/tokens", json={"name": "x", "role": "trusted_flagger", "space": "default"})
    assert minted.status_code == 403  # not even an admin holds it without a grant
    flagger = _as(token_for(runtime, "watchdog", Role.TRUSTED_FLAGGER, "default"))
    assert client.get("/v1/items", headers=flagger).json() == []
    assert client.post("/v1/items", json=item(), headers=flagger).status_code == 403
    assert client.post("/v1/queues/next", headers=flagger).status_code == 403
