"""Policy versions over the API: create, activate, roll back, refuse what does not compile, and who may do it."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient

from beffroi.domain import Role
from beffroi.policy.loader import default_policy_text, load_policy
from beffroi.policy.problems import PolicyError
from beffroi.runtime import Runtime
from beffroi.store.schema import audit_events, policy_activations, policy_versions
from tests.support import HOLD_MARKET, count, create_spaces, push_policy, rules, token_for

REVIEW_MARKET = "{name: market-review, when: 'item.text.contains(\"marché\")', then: [{open_case: market}]}"
BROKEN = "name: town\nversion: 3\nrules:\n  - name: r\n    when: signals.threats > 0.8\n    then: [hold, ban]\n"


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _events(client: TestClient, kind: str) -> list[dict[str, Any]]:
    return [e for e in client.get("/v1/audit", params={"limit": 1000}).json() if e["type"] == kind]


def test_a_version_is_created_and_activated(client: TestClient) -> None:
    create_spaces(client, "town")
    source = rules(HOLD_MARKET, "{name: trial, shadow: true, when: signals.toxicity > 0.5, then: [hide]}")
    created = push_policy(client, "town", source, note="hold market posts", activate=True)
    assert created.status_code == 201, created.text
    body = created.json()
    digest = hashlib.sha256(source.encode()).hexdigest()
    assert (body["version"], body["policy"], body["name"], body["active"]) == (1, "space:town@v1", "town@1", True)
    assert (body["digest"], body["source"], body["note"]) == (digest, source, "hold market posts")
    assert body["rules"] == [
        {"name": "market-hold", "shadow": False, "description": ""},
        {"name": "trial", "shadow": True, "description": ""},
    ]
    in_force = client.get("/v1/spaces/town/policy").json()
    assert (in_force["policy"], in_force["origin"], in_force["inherited"]) == ("space:town@v1", "space", False)
    assert (in_force["version"], in_force["digest"], in_force["source"]) == (1, digest, source)
    assert in_force["activated_by"].startswith("member:")
    assert [e["data"] for e in _events(client, "policy.version_created")] == [
        {"space": "town", "version": 1, "digest": digest, "note": "hold market posts"}
    ]
    assert [e["data"] for e in _events(client, "policy.activated")] == [
        {"space": "town", "version": 1, "digest": digest, "previous_version": None}
    ]
    assert client.get("/v1/audit/verify").json()["ok"]


def test_a_stored_version_waits_until_it_is_activated(client: TestClient) -> None:
    create_spaces(client, "town")
    assert push_policy(client, "town", rules(HOLD_MARKET)).json()["active"] is False
    assert client.get("/v1/spaces/town/policy").json()["origin"] == "file"
    listed = client.get("/v1/spaces/town/policy/versions").json()
    assert [(v["version"], v["active"], v["source"]) for v in listed] == [(1, False, None)]  # lists stay light
    activated = client.post("/v1/spaces/town/policy/versions/1/activate")
    assert activated.status_code == 200 and activated.json()["active"] is True
    assert client.get("/v1/spaces/town/policy").json()["version"] == 1


def test_an_invalid_policy_is_refused_with_its_problems_and_changes_nothing(
    client: TestClient, runtime: Runtime
) -> None:
    create_spaces(client, "town")
    push_policy(client, "town", rules(HOLD_MARKET), activate=True)
    before = [count(runtime, t) for t in (policy_versions, policy_activations, audit_events)]
    refused = push_policy(client, "town", BROKEN, activate=True)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "invalid_policy"
    assert error["message"] == "source:5:19: unknown label 'threats' (and 1 more)"
    assert [(d["line"], d["column"], d["message"]) for d in error["details"]] == [
        (5, 19, "unknown label 'threats'"),
        (6, 18, "unknown action 'ban'"),
    ]
    assert error["details"][0]["hint"].startswith("did you mean 'threat'?")
    with pytest.raises(PolicyError) as checked:  # the very problems `beffroi rules check` prints
        load_policy(BROKEN, "source", runtime.registry.labels())
    assert [p.message for p in checked.value.problems] == [d["message"] for d in error["details"]]
    assert [count(runtime, t) for t in (policy_versions, policy_activations, audit_events)] == before
    assert client.get("/v1/spaces/town/policy").json()["version"] == 1


def test_rolling_back_activates_an_older_version(client: TestClient) -> None:
    create_spaces(client, "town")
    push_policy(client, "town", rules(HOLD_MARKET), activate=True)
    second = push_policy(client, "town", rules(REVIEW_MARKET), activate=True).json()
    assert (second["version"], second["active"]) == (2, True)
    rolled_back = client.post("/v1/spaces/town/policy/versions/1/activate").json()
    assert (rolled_back["version"], rolled_back["active"]) == (1, True)
    assert client.get("/v1/spaces/town/policy").json()["rules"][0]["name"] == "market-hold"
    assert [(v["version"], v["active"]) for v in client.get("/v1/spaces/town/policy/versions").json()] == [
        (2, False),
        (1, True),
    ]
    moves = [(e["data"]["version"], e["data"]["previous_version"]) for e in _events(client, "policy.activated")]
    assert moves == [(1, None), (2, 1), (1, 2)]
    again = client.post("/v1/spaces/town/policy/versions/1/activate")
    assert again.status_code == 200 and len(_events(client, "policy.activated")) == 3  # in force already
    missing = client.post("/v1/spaces/town/policy/versions/9/activate")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_versions_are_numbered_per_space(client: TestClient) -> None:
    create_spaces(client, "town", "club")
    for space in ("town", "town", "club", "_default"):
        push_policy(client, space, rules(HOLD_MARKET))
    assert [v["version"] for v in client.get("/v1/spaces/town/policy/versions").json()] == [2, 1]
    assert [v["policy"] for v in client.get("/v1/spaces/club/policy/versions").json()] == ["space:club@v1"]
    default = client.get("/v1/spaces/_default/policy/versions/1").json()
    assert (default["space"], default["policy"]) == ("_default", "default@v1")


def test_a_space_inherits_the_installation_default_then_the_file(client: TestClient) -> None:
    create_spaces(client, "town")
    shipped = client.get("/v1/spaces/town/policy").json()
    assert (shipped["policy"], shipped["origin"], shipped["inherited"]) == ("beffroi-default@1", "file", True)
    assert shipped["version"] is None and "threat-hold" in [r["name"] for r in shipped["rules"]]
    assert shipped["digest"] == hashlib.sha256(default_policy_text().encode()).hexdigest()
    push_policy(client, "_default", rules(REVIEW_MARKET, name="everywhere"), activate=True)
    inherited = client.get("/v1/spaces/town/policy").json()
    assert (inherited["policy"], inherited["origin"], inherited["inherited"]) == ("default@v1", "default", True)
    own = client.get("/v1/spaces/_default/policy").json()
    assert (own["policy"], own["origin"], own["inherited"]) == ("default@v1", "default", False)
    push_policy(client, "town", rules(HOLD_MARKET), activate=True)
    assert client.get("/v1/spaces/town/policy").json()["origin"] == "space"


def test_a_space_admin_manages_their_own_space_only(client: TestClient, runtime: Runtime) -> None:
    create_spaces(client, "town", "club")
    push_policy(client, "club", rules(HOLD_MARKET), activate=True)
    town_admin = _as(token_for(runtime, "town-admin", Role.ADMIN, "town"))
    for method, path, body in [
        ("GET", "/v1/spaces/club/policy", None),
        ("GET", "/v1/spaces/club/policy/versions", None),
        ("GET", "/v1/spaces/club/policy/versions/1", None),
        ("POST", "/v1/spaces/club/policy/versions", {"source": rules(HOLD_MARKET)}),
        ("POST", "/v1/spaces/club/policy/versions/1/activate", None),
        ("POST", "/v1/spaces/club/policy/backtest", {"version": 1}),
    ]:
        refused = client.request(method, path, json=body, headers=town_admin)
        assert refused.status_code == 404, path
        # The same answer as for a space that does not exist: ids reveal nothing.
        nowhere = client.request(method, path.replace("club", "nowhere"), json=body, headers=town_admin)
        assert refused.json() == {"error": {**nowhere.json()["error"], "message": "no space 'club'"}}
    assert push_policy(client, "town", rules(HOLD_MARKET), activate=True, headers=town_admin).status_code == 201
    assert client.get("/v1/spaces/_default/policy", headers=town_admin).status_code == 200  # what town inherits
    refused = client.post(
        "/v1/spaces/_default/policy/versions", json={"source": rules(HOLD_MARKET)}, headers=town_admin
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["hint"] == "it takes an admin grant over every space"
    assert push_policy(client, "_default", rules(HOLD_MARKET)).status_code == 201  # the global admin may
    assert len(client.get("/v1/spaces/club/policy/versions").json()) == 1  # club unchanged


def test_moderators_and_analysts_read_reviewers_do_not_see(client: TestClient, runtime: Runtime) -> None:
    create_spaces(client, "town")
    push_policy(client, "town", rules(HOLD_MARKET), activate=True)
    for name, role, status in [("mod", Role.MODERATOR, 200), ("ana", Role.ANALYST, 200), ("rev", Role.REVIEWER, 404)]:
        headers = _as(token_for(runtime, name, role, "town"))
        assert client.get("/v1/spaces/town/policy", headers=headers).status_code == status, name
        if status == 200:
            assert push_policy(client, "town", rules(REVIEW_MARKET), headers=headers).status_code == 403, name
            assert client.post("/v1/spaces/town/policy/versions/1/activate", headers=headers).status_code == 403


def test_the_openapi_schema_documents_the_policy_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/v1/spaces/{space}/policy",
        "/v1/spaces/{space}/policy/versions",
        "/v1/spaces/{space}/policy/versions/{number}",
        "/v1/spaces/{space}/policy/versions/{number}/activate",
        "/v1/spaces/{space}/policy/backtest",
    } <= set(paths)
    assert "_default" in paths["/v1/spaces/{space}/policy"]["get"]["parameters"][0]["description"]
