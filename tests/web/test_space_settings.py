"""A space's settings over the API: validated, configured by the space's own admins, audited."""

from __future__ import annotations

from fastapi.testclient import TestClient

from beffroi.domain import Role
from beffroi.runtime import Runtime
from tests.support import token_for

DEFAULTS = {
    "approval": {"roles": [], "accounts": [], "in_name_of_space": False, "approvals_required": 1},
    "watchlist": [],
}


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_space_admin_configures_their_space_and_the_change_is_audited(client: TestClient, runtime: Runtime) -> None:
    client.post("/v1/spaces", json={"id": "town", "name": "Town hall"})
    admin = _as(token_for(runtime, "town-admin", Role.ADMIN, "town"))
    assert client.get("/v1/spaces/town/settings", headers=admin).json() == DEFAULTS
    wanted = {"approval": {"roles": ["Moderator", "moderator"], "accounts": ["acct-9"], "approvals_required": 2}}
    saved = client.put("/v1/spaces/town/settings", json=wanted, headers=admin)
    assert saved.status_code == 200, saved.text
    expected = {
        "approval": {
            "roles": ["moderator"],
            "accounts": ["acct-9"],
            "in_name_of_space": False,
            "approvals_required": 2,
        },
        "watchlist": [],
    }
    assert saved.json() == expected
    assert client.get("/v1/spaces/town/settings", headers=admin).json() == expected
    changed = client.get("/v1/audit?subject=space:town").json()[-1]
    assert changed["type"] == "space.settings_changed"
    assert changed["data"]["settings"] == expected
    assert client.put("/v1/spaces/town/settings", json={}, headers=admin).json() == DEFAULTS  # PUT replaces it all


def test_who_may_read_and_change_settings(client: TestClient, runtime: Runtime) -> None:
    for space in ("town", "club"):
        client.post("/v1/spaces", json={"id": space, "name": space})
    moderator = _as(token_for(runtime, "mod", Role.MODERATOR, "town"))
    club_admin = _as(token_for(runtime, "club-admin", Role.ADMIN, "club"))
    assert client.get("/v1/spaces/town/settings", headers=moderator).status_code == 200
    refused = client.put("/v1/spaces/town/settings", json=DEFAULTS, headers=moderator)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "mod may not space:configure in space 'town'"
    for method in ("GET", "PUT"):
        hidden = client.request(method, "/v1/spaces/town/settings", json=DEFAULTS, headers=club_admin)
        assert hidden.status_code == 404, method
    missing = client.get("/v1/spaces/nowhere/settings")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "no space 'nowhere'"


def test_invalid_settings_are_refused_with_what_to_fix(client: TestClient) -> None:
    too_many = client.put("/v1/spaces/default/settings", json={"approval": {"approvals_required": 3}})
    assert too_many.status_code == 422
    error = too_many.json()["error"]
    assert error["message"] == (
        "approval.approvals_required: approvals_required is 1 (one admin approves) "
        "or 2 (two different admins: four eyes), not 3"
    )
    unknown = client.put("/v1/spaces/default/settings", json={"approval": {"role": ["moderator"]}}).json()["error"]
    assert unknown["details"][0]["loc"] == "approval.role"
    empty_role = client.put("/v1/spaces/default/settings", json={"approval": {"roles": [" "]}}).json()["error"]
    assert "a role is a name of 1 to 40 characters" in empty_role["message"]
    assert client.get("/v1/spaces/default/settings").json() == DEFAULTS  # nothing was stored
