"""Each space's policy decides its items, and a backtest replays a candidate over what is stored."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from beffroi.policy.loader import default_policy_text
from beffroi.runtime import Runtime
from beffroi.store.schema import policy_versions, verdicts
from tests.support import HOLD_MARKET, count, create_spaces, item, push_policy, rules

BIKE_HOLD = "  - {name: bike-hold, when: 'item.text.contains(\"vélo\")', then: [hold]}\n"
EVERYTHING_TRIAL = "  - {name: remove-trial, shadow: true, when: 'true', then: [remove]}\n"


def _analysed(client: TestClient, text: str, space: str) -> dict[str, Any]:
    found: dict[str, Any] = client.post("/v1/items?wait=20", json=item(text, space=space)).json()
    assert found["status"] == "analysed", found
    return found


def _kinds(found: dict[str, Any]) -> list[str]:
    return [action["kind"] for action in found["verdict"]["actions"]]


def test_the_same_text_is_held_where_the_space_policy_says_so(client: TestClient) -> None:
    create_spaces(client, "town", "club")
    before = _analysed(client, "Rendez-vous au marché samedi", "town")
    assert (before["verdict"]["policy"], _kinds(before)) == ("beffroi-default@1", ["allow"])
    push_policy(client, "town", rules(HOLD_MARKET), activate=True)
    town = _analysed(client, "Rendez-vous au marché samedi", "town")
    club = _analysed(client, "Rendez-vous au marché samedi", "club")
    assert (town["verdict"]["policy"], _kinds(town), town["verdict"]["rules"]) == (
        "space:town@v1",
        ["hold"],
        ["market-hold"],
    )
    assert (club["verdict"]["policy"], _kinds(club)) == ("beffroi-default@1", ["allow"])
    issued = client.get("/v1/audit", params={"subject": town["id"]}).json()
    assert [e["data"]["policy"] for e in issued if e["type"] == "verdict.issued"] == ["space:town@v1"]


def test_the_installation_default_decides_for_spaces_without_their_own(client: TestClient) -> None:
    create_spaces(client, "town", "club")
    push_policy(client, "_default", rules(HOLD_MARKET, name="everywhere"), activate=True)
    push_policy(client, "club", rules("{name: nothing, when: 'false', then: [hold]}", name="club"), activate=True)
    town = _analysed(client, "Le marché de Noël", "town")
    club = _analysed(client, "Le marché de Noël", "club")
    assert (town["verdict"]["policy"], _kinds(town)) == ("default@v1", ["hold"])
    assert (club["verdict"]["policy"], _kinds(club)) == ("space:club@v1", ["allow"])


def test_a_stricter_version_holds_exactly_the_items_it_targets(client: TestClient, runtime: Runtime) -> None:
    create_spaces(client, "town", "club")
    bikes = [_analysed(client, f"Mon vélo numéro {i} est volé", "town")["id"] for i in range(3)]
    others = [_analysed(client, f"Bonjour numéro {i}", "town")["id"] for i in range(3)]
    _analysed(client, "Un vélo ailleurs", "club")  # another space: never in town's backtest
    stored = (count(runtime, policy_versions), count(runtime, verdicts))
    candidate = default_policy_text() + BIKE_HOLD + EVERYTHING_TRIAL
    response = client.post("/v1/spaces/town/policy/backtest", json={"source": candidate})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["space"], report["candidate"]) == ("town", "space:town@unsaved")
    assert (report["items"], report["changed"], report["limit_reached"]) == (6, 3, False)
    assert report["transitions"] == {"allow->hold": 3}
    assert (report["actions_before"], report["actions_after"]) == ({"allow": 6}, {"allow": 3, "hold": 3})
    fired = {r["name"]: (r["shadow"], r["fired"]) for r in report["rules"]}
    assert fired["bike-hold"] == (False, 3)
    assert fired["remove-trial"] == (True, 6)  # matched everything, removed nothing
    assert fired["threat-hold"] == (False, 0)  # every rule of the candidate is listed
    assert sorted(c["item_id"] for c in report["sample"]) == sorted(bikes)
    change = report["sample"][0]
    assert change["before"] == {
        "policy": "beffroi-default@1",
        "actions": [{"kind": "allow", "params": {}}],
        "rules": [],
    }
    assert change["after"] == {
        "policy": "space:town@unsaved",
        "actions": [{"kind": "hold", "params": {}}],
        "rules": ["bike-hold"],
    }
    assert not set(others) & {c["item_id"] for c in report["sample"]}
    assert (count(runtime, policy_versions), count(runtime, verdicts)) == stored  # a backtest stores nothing


def test_a_shadow_rule_is_counted_and_changes_nothing(client: TestClient) -> None:
    for i in range(3):
        _analysed(client, f"Message {i}", "default")
    push_policy(client, "default", default_policy_text() + EVERYTHING_TRIAL)
    report = client.post("/v1/spaces/default/policy/backtest", json={"version": 1}).json()
    assert report["candidate"] == "space:default@v1"
    assert (report["items"], report["changed"], report["transitions"], report["sample"]) == (3, 0, {}, [])
    assert {r["name"]: r["fired"] for r in report["rules"]}["remove-trial"] == 3


def test_the_limit_and_the_window_bound_a_backtest(client: TestClient) -> None:
    ids = [_analysed(client, f"Mon vélo {i}", "default")["id"] for i in range(3)]
    candidate = default_policy_text() + BIKE_HOLD
    newest = client.post("/v1/spaces/default/policy/backtest", json={"source": candidate, "limit": 2}).json()
    assert (newest["items"], newest["limit_reached"]) == (2, True)
    assert {c["item_id"] for c in newest["sample"]} == set(ids[1:])  # newest first
    future = client.post(
        "/v1/spaces/default/policy/backtest", json={"source": candidate, "since": "2999-01-01T00:00:00Z"}
    ).json()
    assert future["items"] == 0
    sampled = client.post("/v1/spaces/default/policy/backtest", json={"source": candidate, "sample": 1}).json()
    assert (sampled["changed"], len(sampled["sample"])) == (3, 1)


def test_a_backtest_needs_one_valid_candidate(client: TestClient) -> None:
    both = client.post("/v1/spaces/default/policy/backtest", json={"source": "x", "version": 1})
    assert both.status_code == 422 and "exactly one of version" in both.json()["error"]["message"]
    broken = client.post("/v1/spaces/default/policy/backtest", json={"source": "name: x\nversion: 1\nrules: []\n"})
    assert broken.status_code == 422 and broken.json()["error"]["code"] == "invalid_policy"
    assert broken.json()["error"]["details"][0]["line"] == 3
    unknown = client.post("/v1/spaces/default/policy/backtest", json={"version": 4})
    assert unknown.status_code == 404


def test_a_backtest_of_the_default_covers_the_spaces_that_inherit_it(client: TestClient) -> None:
    create_spaces(client, "town", "club")
    push_policy(client, "club", rules(HOLD_MARKET), activate=True)
    town = _analysed(client, "Mon vélo", "town")["id"]
    _analysed(client, "Mon vélo", "club")  # club has its own policy: the default does not decide there
    report = client.post(
        "/v1/spaces/_default/policy/backtest", json={"source": default_policy_text() + BIKE_HOLD}
    ).json()
    assert (report["space"], report["candidate"], report["items"]) == ("_default", "default@unsaved", 1)
    assert [c["item_id"] for c in report["sample"]] == [town]
