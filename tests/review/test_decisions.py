"""Decisions through the API: the lock, the ground and statement they need, and what they do once in effect."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from beffroi.domain import Role
from beffroi.runtime import Runtime
from beffroi.store.schema import audit_events, cases, decisions, notices, notifications, statements
from tests.review.decision_support import claim, decide, notice_on, removal, reviewer, rows, threat_case
from tests.support import count


def test_a_decision_needs_the_cases_lock(client: TestClient, runtime: Runtime) -> None:
    case_id, _ = threat_case(client, runtime)
    anna, bruno = reviewer(runtime, "anna"), reviewer(runtime, "bruno")
    refused = removal(client, case_id, anna)
    assert refused.status_code == 409
    assert f"POST /v1/cases/{case_id}/claim" in refused.json()["error"]["hint"]
    claim(runtime, case_id, bruno)
    assert removal(client, case_id, anna).status_code == 409  # bruno holds it
    assert count(runtime, decisions) == 0
    assert removal(client, case_id, bruno).status_code == 201


def test_a_removal_needs_a_known_ground_and_a_statement(client: TestClient, runtime: Runtime) -> None:
    case_id, _ = threat_case(client, runtime)
    anna = reviewer(runtime, "anna")
    claim(runtime, case_id, anna)

    unknown = decide(client, case_id, anna, action="remove", ground="threat", statement="Menace de mort.").json()
    assert unknown["error"]["status"] == 422
    assert "unknown ground 'threat'" in unknown["error"]["message"]
    assert "threats" in unknown["error"]["details"][0]["valid"] and "threats" in unknown["error"]["hint"]
    missing = decide(client, case_id, anna, action="remove", statement="Menace de mort.").json()["error"]
    assert (missing["status"], missing["details"][0]["loc"]) == (422, "ground")
    silent = decide(client, case_id, anna, action="remove", ground="threats", statement="  ").json()["error"]
    assert (silent["status"], silent["details"][0]["loc"]) == (422, "statement")
    stranger = decide(client, case_id, anna, action="remove", ground="threats", statement="x", items=["itm_x"])
    assert stranger.status_code == 422
    assert count(runtime, decisions) == 0
    # Allowing needs neither: there is nothing to justify to the author.
    allowed = decide(client, case_id, anna, action="allow")
    assert (allowed.status_code, allowed.json()["status"]) == (201, "effective")


def test_a_removal_takes_effect_on_the_item_the_case_and_the_author(client: TestClient, runtime: Runtime) -> None:
    case_id, item_id = threat_case(client, runtime)
    anna = reviewer(runtime, "anna")
    claim(runtime, case_id, anna)
    decision = removal(client, case_id, anna).json()
    assert (decision["status"], decision["ground"]["key"], decision["items"]) == ("effective", "threats", [item_id])

    verdict = client.get(f"/v1/items/{item_id}").json()["verdict"]
    assert verdict["policy"] == f"decision:{decision['id']}"
    assert verdict["actions"] == [{"kind": "remove", "params": {"decision": decision["id"], "action": "remove"}}]
    assert verdict["reasons"][0].startswith("threats: Threats (Code pénal, art. 222-17")
    assert verdict["reasons"][1] == decision["statement"]

    [case] = rows(runtime, cases, cases.c.id == case_id)
    assert (case.status, case.open_group, case.assigned_to, case.locked_until) == ("decided", None, None, None)
    assert case.closed_at is not None

    [sent] = rows(runtime, notifications, notifications.c.kind == "decision.statement")
    assert (sent.recipient_kind, sent.recipient, sent.subject) == ("author", "mastodon:acct-1", decision["id"])
    body = sent.body
    assert body["decision"] == {
        "action": "remove",
        "visibility": "DECISION_VISIBILITY_CONTENT_REMOVED",
        "account": None,
    }
    assert body["facts"] == decision["statement"]
    assert body["ground"]["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert body["ground"]["category"] == "STATEMENT_CATEGORY_VIOLENCE"
    assert body["automated"] == {"detection": True, "decision": "AUTOMATED_DECISION_NOT_AUTOMATED"}
    assert body["source_type"] == "SOURCE_VOLUNTARY"
    appeal = body["redress"]["appeal"]
    effective = datetime.fromisoformat(decision["effective_at"])
    assert datetime.fromisoformat(appeal["until"]) - effective == timedelta(days=183)  # BEFFROI_APPEAL_DAYS
    code = appeal["code"]
    [kept] = rows(runtime, statements, statements.c.decision_id == decision["id"])
    assert kept.author == "mastodon:acct-1" and code not in kept.code_hash and len(kept.code_hash) == 64

    with runtime.db.read() as conn:
        query = sa.select(audit_events.c.type).where(audit_events.c.subject.in_([decision["id"], item_id]))
        types = [t for (t,) in conn.execute(query.order_by(audit_events.c.seq))]
    # the threat was held by a policy rule: the removal also ends that hold
    assert types[-4:] == ["decision.proposed", "hold.rejected", "verdict.issued", "decision.took_effect"]
    assert client.get("/v1/audit/verify").json()["ok"] is True


def test_notices_on_the_case_get_the_outcome(client: TestClient, runtime: Runtime) -> None:
    case_id, item_id = threat_case(client, runtime)
    first, trusted = notice_on(runtime, case_id, item_id), notice_on(runtime, case_id, item_id, trusted=True)
    anna = reviewer(runtime, "anna")
    claim(runtime, case_id, anna)
    decision = removal(client, case_id, anna).json()

    for notice in rows(runtime, notices):
        assert (notice.status, notice.decided_at is not None) == ("decided", True)
        assert notice.outcome["action"] == "remove"
        assert notice.outcome["ground"] == {"key": "threats", "label": {"fr": "Menaces", "en": "Threats"}}
        assert notice.outcome["statement"] == decision["statement"]
    told = rows(runtime, notifications, notifications.c.kind == "notice.outcome")
    assert sorted(n.recipient for n in told) == sorted([first, trusted])
    assert {(n.recipient_kind, n.body["decision_id"], n.body["item_id"]) for n in told} == {
        ("notifier", decision["id"], item_id)
    }
    [statement] = rows(runtime, notifications, notifications.c.kind == "decision.statement")
    assert statement.body["source_type"] == "SOURCE_TRUSTED_NOTIFIER"


def test_a_decided_case_is_changed_only_through_an_appeal(client: TestClient, runtime: Runtime) -> None:
    case_id, _ = threat_case(client, runtime)
    anna = reviewer(runtime, "anna")
    claim(runtime, case_id, anna)
    assert removal(client, case_id, anna).status_code == 201
    again = decide(client, case_id, anna, action="allow").json()["error"]
    assert again["status"] == 409 and "through an appeal" in again["message"]


def test_only_reviewers_of_the_space_decide_or_read_decisions(client: TestClient, runtime: Runtime) -> None:
    client.post("/v1/spaces", json={"id": "club", "name": "Football club"})
    case_id, _ = threat_case(client, runtime)
    anna = reviewer(runtime, "anna")
    claim(runtime, case_id, anna)
    decision = removal(client, case_id, anna).json()
    analyst = reviewer(runtime, "ana", Role.ANALYST)
    elsewhere = reviewer(runtime, "eve", Role.REVIEWER, "club")
    assert decide(client, case_id, analyst, action="allow").status_code == 403
    assert decide(client, case_id, elsewhere, action="allow").status_code == 404
    assert client.get(f"/v1/decisions/{decision['id']}", headers=elsewhere.headers).status_code == 404
    assert client.get(f"/v1/cases/{case_id}/decisions", headers=elsewhere.headers).status_code == 404
    history = client.get(f"/v1/cases/{case_id}/decisions", headers=analyst.headers).json()
    assert [d["id"] for d in history] == [decision["id"]]
    assert client.get(f"/v1/decisions/{decision['id']}", headers=analyst.headers).json() == decision
