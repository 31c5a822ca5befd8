"""Four eyes on the heaviest decisions: they wait, without effect, until a second reviewer confirms them."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from beffroi.domain import DecisionAction
from beffroi.errors import ConfigError
from beffroi.review.decision_rules import SecondReview
from beffroi.runtime import Runtime
from beffroi.settings import Settings
from beffroi.store.schema import cases, notifications, verdicts
from tests.review.decision_support import Reviewer, claim, decide, removal, reviewer, rows, threat_case


def test_removing_an_officials_post_waits_for_a_second_reviewer(client: TestClient, runtime: Runtime) -> None:
    case_id, item_id = threat_case(client, runtime, official=True)
    anna, bruno = reviewer(runtime, "anna"), reviewer(runtime, "bruno")
    claim(runtime, case_id, anna)
    proposed = removal(client, case_id, anna).json()
    assert proposed["status"] == "pending"
    assert proposed["second_review"] == [f"remove of content by an elected official or public figure: {item_id}"]
    assert client.get(f"/v1/items/{item_id}").json()["verdict"]["policy"] == "beffroi-default@1"  # no effect yet
    assert rows(runtime, cases, cases.c.id == case_id)[0].status == "open"
    assert rows(runtime, notifications) == []

    own = client.post(f"/v1/decisions/{proposed['id']}/confirm", headers=anna.headers).json()["error"]
    assert own["status"] == 403 and "never the first" in own["message"]
    confirmed = client.post(f"/v1/decisions/{proposed['id']}/confirm", headers=bruno.headers).json()
    assert (confirmed["status"], confirmed["second_reviewer"]) == ("effective", bruno.member_id)
    assert client.get(f"/v1/items/{item_id}").json()["verdict"]["actions"][0]["kind"] == "remove"
    assert rows(runtime, cases, cases.c.id == case_id)[0].status == "decided"
    [sent] = rows(runtime, notifications, notifications.c.kind == "decision.statement")
    assert sent.body["decision_id"] == proposed["id"]
    again = client.post(f"/v1/decisions/{proposed['id']}/confirm", headers=bruno.headers)
    assert again.status_code == 409


@pytest.mark.parametrize("action", ["report_authorities", "terminate_account"])
def test_reports_and_terminations_wait_and_a_refusal_sends_the_case_back(
    client: TestClient, runtime: Runtime, action: str
) -> None:
    case_id, item_id = threat_case(client, runtime)
    anna, bruno = reviewer(runtime, "anna"), reviewer(runtime, "bruno")
    claim(runtime, case_id, anna)
    statement = "Menace de mort explicite contre le maire."
    proposed = decide(client, case_id, anna, action=action, ground="threats", statement=statement).json()
    assert proposed["status"] == "pending"
    assert proposed["second_review"] == [f"{action} always needs a second reviewer"]
    blocked = decide(client, case_id, anna, action="remove", ground="threats", statement=statement).json()
    assert blocked["error"]["status"] == 409 and proposed["id"] in blocked["error"]["message"]

    refused = client.post(
        f"/v1/decisions/{proposed['id']}/refuse", json={"note": "Un retrait suffit."}, headers=bruno.headers
    )
    assert (refused.json()["status"], refused.json()["refusal_note"]) == ("refused", "Un retrait suffit.")
    [case] = rows(runtime, cases, cases.c.id == case_id)
    assert (case.status, case.assigned_to) == ("open", None)  # back in its queue, for anyone to claim
    assert len(rows(runtime, verdicts, verdicts.c.item_id == item_id)) == 1  # the policy's only

    claim(runtime, case_id, anna)
    assert removal(client, case_id, anna).json()["status"] == "effective"
    history = client.get(f"/v1/cases/{case_id}/decisions").json()
    assert [(d["action"], d["status"]) for d in history] == [(action, "refused"), ("remove", "effective")]


def test_a_report_proposed_then_confirmed_escalates_to_the_authorities(client: TestClient, runtime: Runtime) -> None:
    case_id, item_id = threat_case(client, runtime)
    anna, bruno = reviewer(runtime, "anna"), reviewer(runtime, "bruno")
    claim(runtime, case_id, anna)
    proposed = decide(client, case_id, anna, action="report_authorities", ground="threats", statement="Menace de mort.")
    client.post(f"/v1/decisions/{proposed.json()['id']}/confirm", headers=bruno.headers)
    actions = client.get(f"/v1/items/{item_id}").json()["verdict"]["actions"]
    assert [(a["kind"], a["params"].get("to")) for a in actions] == [("remove", None), ("escalate", "authorities")]


def test_lighter_actions_on_an_officials_post_take_effect_at_once(client: TestClient, runtime: Runtime) -> None:
    case_id, item_id = threat_case(client, runtime, official=True)
    anna = reviewer(runtime, "anna")
    claim(runtime, case_id, anna)
    labelled = decide(client, case_id, anna, action="label", ground="threats", statement="Propos violents.").json()
    assert (labelled["status"], labelled["second_review"]) == ("effective", [])
    actions = client.get(f"/v1/items/{item_id}").json()["verdict"]["actions"]
    assert [(a["kind"], a["params"].get("label")) for a in actions] == [("allow", None), ("label", "threats")]


def test_which_actions_need_a_second_reviewer_is_a_setting() -> None:
    rules = SecondReview.from_settings(
        dataclasses.replace(Settings(), second_review_actions="remove", second_review_official_actions="")
    )
    assert rules.reasons(DecisionAction.REMOVE, []) == ("remove always needs a second reviewer",)
    assert rules.reasons(DecisionAction.TERMINATE_ACCOUNT, []) == ()
    with pytest.raises(ConfigError, match=r"unknown decision action\(s\) delete"):
        SecondReview.from_settings(Settings(second_review_actions="remove,delete"))


def test_of_two_second_reviewers_confirming_together_exactly_one_confirms(client: TestClient, runtime: Runtime) -> None:
    case_id, _ = threat_case(client, runtime, official=True)
    anna = reviewer(runtime, "anna")
    claim(runtime, case_id, anna)
    proposed = removal(client, case_id, anna).json()
    seconds = [reviewer(runtime, f"second{i}") for i in range(4)]

    def attempt(who: Reviewer) -> int:
        return client.post(f"/v1/decisions/{proposed['id']}/confirm", headers=who.headers).status_code

    with ThreadPoolExecutor(4) as pool:
        assert sorted(pool.map(attempt, seconds)) == [200, 409, 409, 409]
    assert len(rows(runtime, notifications, notifications.c.kind == "decision.statement")) == 1
