"""Appeals: the author contests with their code within the period; someone who took no part decides."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from beffroi.domain import Role
from beffroi.review import appeal_codes
from beffroi.runtime import Runtime
from beffroi.store.schema import appeals, audit_events, decisions, notifications, verdicts
from tests.review.decision_support import NO_TOKEN, Reviewer, claim, removal, reviewer, rows, threat_case
from tests.support import count


def _removed(client: TestClient, runtime: Runtime, anna: Reviewer) -> tuple[dict[str, Any], str, str]:
    """(the removal, its appeal code, the item id): a threat removed by anna."""
    case_id, item_id = threat_case(client, runtime)
    claim(runtime, case_id, anna)
    decision = removal(client, case_id, anna).json()
    [sent] = rows(runtime, notifications, notifications.c.kind == "decision.statement")
    return decision, sent.body["redress"]["appeal"]["code"], item_id


def _appeal(
    client: TestClient, decision_id: str, code: str | None, headers: dict[str, str] = NO_TOKEN, **extra: Any
) -> Any:
    """File as the author (no token, with the code) or, given a platform's headers, on the author's behalf."""
    body = {"decision_id": decision_id, "explanation": "C'était une citation d'un film, pas une menace.", **extra}
    if code is not None:
        body["appeal_code"] = code
    return client.post("/v1/appeals", json=body, headers=headers)


def test_a_reversed_appeal_restores_the_content_and_tells_the_author(client: TestClient, runtime: Runtime) -> None:
    anna, bruno = reviewer(runtime, "anna"), reviewer(runtime, "bruno")
    decision, code, item_id = _removed(client, runtime, anna)
    filed = _appeal(client, decision["id"], code.lower().replace("-", " "))  # retyped loosely: still the code
    assert filed.status_code == 201
    appeal_id = filed.json()["id"]
    listed = client.get("/v1/appeals?space=default&status=open", headers=bruno.headers).json()
    assert [(a["id"], a["author"], a["filed_by"]) for a in listed] == [(appeal_id, "mastodon:acct-1", "author")]

    ruling = {"outcome": "reversed", "statement": "Il s'agit d'une réplique de film citée, sans cible réelle."}
    mine = client.post(f"/v1/appeals/{appeal_id}/decision", json=ruling, headers=anna.headers).json()["error"]
    assert mine["status"] == 403 and f"you made decision {decision['id']}" in mine["message"]
    decided = client.post(f"/v1/appeals/{appeal_id}/decision", json=ruling, headers=bruno.headers).json()
    assert (decided["status"], decided["outcome"], decided["reviewer"]) == ("decided", "reversed", bruno.member_id)

    history = client.get(f"/v1/cases/{decision['case_id']}/decisions").json()
    assert [(d["action"], d["status"]) for d in history] == [("remove", "superseded"), ("allow", "effective")]
    old, new = history
    assert (old["superseded_by"], new["supersedes"], new["appeal_id"]) == (new["id"], old["id"], appeal_id)
    assert decided["outcome_decision_id"] == new["id"]
    verdict = client.get(f"/v1/items/{item_id}").json()["verdict"]
    assert (verdict["policy"], verdict["actions"][0]["kind"]) == (f"decision:{new['id']}", "allow")
    assert len(rows(runtime, verdicts, verdicts.c.item_id == item_id)) == 3  # policy, removal, restoration

    [told] = rows(runtime, notifications, notifications.c.kind == "appeal.outcome")
    assert (told.recipient, told.subject) == ("mastodon:acct-1", appeal_id)
    assert (told.body["outcome"], told.body["restored"], told.body["statement"]) == (
        "reversed",
        True,
        ruling["statement"],
    )
    with runtime.db.read() as conn:
        types = [t for (t,) in conn.execute(sa.select(audit_events.c.type).where(audit_events.c.subject == appeal_id))]
    assert types == ["appeal.filed", "appeal.decided"]


def test_the_second_reviewer_of_the_contested_decision_may_not_decide_its_appeal(
    client: TestClient, runtime: Runtime
) -> None:
    anna, bruno, carla = reviewer(runtime, "anna"), reviewer(runtime, "bruno"), reviewer(runtime, "carla")
    case_id, _ = threat_case(client, runtime, official=True)
    claim(runtime, case_id, anna)
    proposed = removal(client, case_id, anna).json()
    client.post(f"/v1/decisions/{proposed['id']}/confirm", headers=bruno.headers)
    [sent] = rows(runtime, notifications, notifications.c.kind == "decision.statement")
    appeal_id = _appeal(client, proposed["id"], sent.body["redress"]["appeal"]["code"]).json()["id"]

    upheld = {"outcome": "upheld", "statement": "La menace vise nommément le maire."}
    refused = client.post(f"/v1/appeals/{appeal_id}/decision", json=upheld, headers=bruno.headers).json()["error"]
    assert refused["status"] == 403 and "as its second reviewer" in refused["message"]
    decided = client.post(f"/v1/appeals/{appeal_id}/decision", json=upheld, headers=carla.headers).json()
    assert (decided["outcome"], decided["outcome_decision_id"]) == ("upheld", None)
    assert client.get(f"/v1/decisions/{proposed['id']}").json()["status"] == "effective"
    [told] = rows(runtime, notifications, notifications.c.kind == "appeal.outcome")
    assert (told.body["outcome"], told.body["new_decision"]) == ("upheld", None)


def test_a_late_appeal_is_refused_with_its_deadline(client: TestClient, runtime: Runtime) -> None:
    anna = reviewer(runtime, "anna")
    decision, code, _ = _removed(client, runtime, anna)
    [row] = rows(runtime, decisions, decisions.c.id == decision["id"])
    backdated = row.effective_at - timedelta(days=184)
    runtime.db.writer.run(
        lambda tx: tx.conn.execute(decisions.update().where(decisions.c.id == row.id).values(effective_at=backdated))
    )
    late = _appeal(client, decision["id"], code).json()["error"]
    deadline = backdated + timedelta(days=183)
    assert late["status"] == 409
    assert f"the time to appeal decision {decision['id']} ended on {deadline:%Y-%m-%d %H:%M} UTC" == late["message"]
    assert count(runtime, appeals) == 0


def test_a_wrong_code_says_nothing_of_the_decision(client: TestClient, runtime: Runtime) -> None:
    anna = reviewer(runtime, "anna")
    decision, code, _ = _removed(client, runtime, anna)
    events = count(runtime, audit_events)
    wrong = _appeal(client, decision["id"], "AAAA-BBBB-CCCC-DDDD-EEEE")
    unknown = _appeal(client, "dec_nothing", code)
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert _appeal(client, decision["id"], None).status_code == 422  # no token, no code
    assert (count(runtime, appeals), count(runtime, audit_events)) == (0, events)


def test_one_open_appeal_per_decision(client: TestClient, runtime: Runtime) -> None:
    anna = reviewer(runtime, "anna")
    decision, code, _ = _removed(client, runtime, anna)
    assert _appeal(client, decision["id"], code).status_code == 201
    second = _appeal(client, decision["id"], code).json()["error"]
    assert second["status"] == 409 and "open already" in second["message"]


def test_a_decision_upheld_on_appeal_is_not_appealed_again(client: TestClient, runtime: Runtime) -> None:
    anna, bruno = reviewer(runtime, "anna"), reviewer(runtime, "bruno")
    decision, code, _ = _removed(client, runtime, anna)
    appeal_id = _appeal(client, decision["id"], code).json()["id"]
    upheld = {"outcome": "upheld", "statement": "La menace est explicite."}
    assert client.post(f"/v1/appeals/{appeal_id}/decision", json=upheld, headers=bruno.headers).status_code == 200
    again = _appeal(client, decision["id"], code).json()["error"]
    assert again["status"] == 409 and "decided already" in again["message"]
    assert "Art. 21" in again["hint"]


def test_a_platform_appeals_on_the_authors_behalf(client: TestClient, runtime: Runtime) -> None:
    anna = reviewer(runtime, "anna")
    decision, _, _ = _removed(client, runtime, anna)
    platform = reviewer(runtime, "bridge", Role.MODERATOR)  # may submit items in the space
    outsider = reviewer(runtime, "bystander", Role.REVIEWER)  # may not
    assert _appeal(client, decision["id"], None, headers=outsider.headers).status_code == 404
    wrong_author = _appeal(client, decision["id"], None, headers=platform.headers, author="mastodon:acct-9").json()
    assert wrong_author["error"]["details"][0]["valid"] == ["mastodon:acct-1"]
    filed = _appeal(client, decision["id"], None, headers=platform.headers)
    assert filed.status_code == 201
    [stored] = rows(runtime, appeals)
    assert (stored.author, stored.filed_by) == ("mastodon:acct-1", f"member:{platform.member_id}")


def test_a_modification_may_only_lighten_the_decision(client: TestClient, runtime: Runtime) -> None:
    anna, bruno = reviewer(runtime, "anna"), reviewer(runtime, "bruno")
    decision, code, item_id = _removed(client, runtime, anna)
    appeal_id = _appeal(client, decision["id"], code).json()["id"]
    path = f"/v1/appeals/{appeal_id}/decision"
    harsher = {"outcome": "modified", "action": "terminate_account", "statement": "Compte supprimé."}
    refused = client.post(path, json=harsher, headers=bruno.headers).json()["error"]
    assert refused["status"] == 422 and refused["details"][0]["valid"] == ["label", "hide"]
    lighter = {"outcome": "modified", "action": "label", "statement": "Propos violents, mais sans cible réelle."}
    decided = client.post(path, json=lighter, headers=bruno.headers).json()
    new = client.get(f"/v1/decisions/{decided['outcome_decision_id']}").json()
    assert (new["action"], new["ground"]["key"], new["supersedes"]) == ("label", "threats", decision["id"])
    actions = client.get(f"/v1/items/{item_id}").json()["verdict"]["actions"]
    assert [a["kind"] for a in actions] == ["allow", "label"]
    assert client.post(path, json=lighter, headers=bruno.headers).status_code == 409  # decided already


def test_an_appeal_code_survives_loose_retyping() -> None:
    code = appeal_codes.new_code()
    assert len(code) == 24 and code.count("-") == 4
    loose = code.lower().replace("-", " ").replace("o", "0").replace("i", "1")
    assert appeal_codes.code_hash(loose) == appeal_codes.code_hash(code)
    assert appeal_codes.code_hash(appeal_codes.new_code()) != appeal_codes.code_hash(code)
