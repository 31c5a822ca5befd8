"""A reviewer's decision on a held item: it settles a hold a policy rule placed, but a post the space requires
its admins to approve stays held when a reviewer allows it; any restriction ends the hold."""

from __future__ import annotations

from fastapi.testclient import TestClient

from beffroi.domain import Role
from beffroi.runtime import Runtime
from tests.review.decision_support import THREAT, reviewer
from tests.review.support import ANONYMOUS, notice
from tests.support import item


def _post(client: TestClient, **context: object) -> dict[str, object]:
    posted = client.post("/v1/items?wait=30", json=item(THREAT, context=context)).json()
    assert posted["status"] == "analysed", posted
    assert posted["publication"]["state"] == "held"
    return posted


def _decide(client: TestClient, runtime: Runtime, action: str) -> dict[str, object]:
    anna = reviewer(runtime, f"anna-{action}")
    case = client.post("/v1/queues/next?queue=threats", headers=anna.headers).json()
    body = {"action": action, "ground": "threats", "statement": "Relu en contexte."}
    decided = client.post(f"/v1/cases/{case['id']}/decisions", json=body, headers=anna.headers)
    assert decided.status_code == 201, decided.text
    return dict(decided.json())


def test_an_allow_settles_the_hold_a_rule_placed(client: TestClient, runtime: Runtime) -> None:
    posted = _post(client)
    _decide(client, runtime, "allow")
    after = client.get(f"/v1/items/{posted['id']}").json()
    assert after["verdict"]["actions"][0]["kind"] == "allow"
    assert after["publication"]["state"] == "published"


def test_an_allow_leaves_held_what_the_space_requires_its_admins_to_approve(
    client: TestClient, runtime: Runtime
) -> None:
    settings = {"approval": {"roles": ["moderator"], "in_name_of_space": True, "approvals_required": 1}}
    assert client.put("/v1/spaces/default/settings", json=settings).status_code == 200
    posted = _post(client, author_role="moderator", in_name_of_space=True)
    _decide(client, runtime, "allow")
    after = client.get(f"/v1/items/{posted['id']}").json()
    assert after["verdict"]["actions"][0]["kind"] == "hold"  # the feed tells platforms to keep it unpublished
    assert any("admins' approval" in reason for reason in after["verdict"]["reasons"])
    assert after["publication"]["state"] == "held"

    admin = reviewer(runtime, "camille", Role.ADMIN)
    approved = client.post(f"/v1/items/{posted['id']}/approvals", json={"decision": "approve"}, headers=admin.headers)
    assert approved.status_code == 201, approved.text
    assert client.get(f"/v1/items/{posted['id']}").json()["publication"]["state"] == "published"


def test_a_removal_ends_the_hold_and_nothing_can_publish_it_after(client: TestClient, runtime: Runtime) -> None:
    posted = _post(client)
    _decide(client, runtime, "remove")
    after = client.get(f"/v1/items/{posted['id']}").json()
    assert after["verdict"]["actions"][0]["kind"] == "remove"
    assert after["publication"]["state"] == "rejected"
    admin = reviewer(runtime, "camille", Role.ADMIN)
    late = client.post(f"/v1/items/{posted['id']}/approvals", json={"decision": "approve"}, headers=admin.headers)
    assert late.status_code == 409


def test_an_appeal_that_restores_a_removed_item_publishes_it(client: TestClient, runtime: Runtime) -> None:
    posted = _post(client)
    decision = _decide(client, runtime, "remove")
    [statement] = [n for n in client.get("/v1/notifications").json() if n["kind"] == "decision.statement"]
    code = statement["body"]["redress"]["appeal"]["code"]
    appeal = client.post(
        "/v1/appeals",
        json={"decision_id": decision["id"], "appeal_code": code, "explanation": "une citation de film"},
        headers={"Authorization": ""},
    ).json()
    bruno = reviewer(runtime, "bruno")
    ruling = {"outcome": "reversed", "statement": "Citation de film : le contenu est rétabli."}
    assert client.post(f"/v1/appeals/{appeal['id']}/decision", json=ruling, headers=bruno.headers).status_code == 200
    after = client.get(f"/v1/items/{posted['id']}").json()
    assert after["verdict"]["actions"][0]["kind"] == "allow"
    assert after["publication"]["state"] == "published"


def test_a_later_case_may_not_lift_a_decision_in_force(client: TestClient, runtime: Runtime) -> None:
    posted = _post(client)
    _decide(client, runtime, "remove")
    sent = client.post("/v1/notices", json=notice(str(posted["id"])), headers=ANONYMOUS)
    assert sent.status_code == 201  # the notice is kept: it opens a new case, the first one being decided
    bruno = reviewer(runtime, "bruno")
    case = client.post("/v1/queues/next?queue=notices", headers=bruno.headers).json()
    body = {"action": "allow", "ground": "threats", "statement": "Rien à redire."}
    lifted = client.post(f"/v1/cases/{case['id']}/decisions", json=body, headers=bruno.headers)
    assert lifted.status_code == 409
    assert "appeal" in lifted.json()["error"]["hint"]
    assert client.get(f"/v1/items/{posted['id']}").json()["verdict"]["actions"][0]["kind"] == "remove"


def test_a_notice_never_holds_an_item_already_published(client: TestClient, runtime: Runtime) -> None:
    settings = {"approval": {"roles": ["moderator"], "approvals_required": 1}}
    assert client.put("/v1/spaces/default/settings", json=settings).status_code == 200
    posted = client.post(
        "/v1/items?wait=30", json=item("Réunion publique jeudi à 18h", context={"author_role": "moderator"})
    ).json()
    admin = reviewer(runtime, "camille", Role.ADMIN)
    assert client.post(f"/v1/items/{posted['id']}/approvals", json={"decision": "approve"}, headers=admin.headers)
    assert client.post("/v1/notices", json=notice(posted["id"]), headers=ANONYMOUS).status_code == 201
    after = client.get(f"/v1/items/{posted['id']}").json()
    assert after["verdict"]["actions"][0]["kind"] == "allow"
    assert after["publication"]["state"] == "published"
