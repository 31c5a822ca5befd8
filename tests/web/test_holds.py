"""Holds before publication, end to end through the API: the Clermont-Ferrand case and its variations.

A parody group's moderator posted, in the group's name, a video its admins had never validated. Here the
group requires two admins' approval for posts made in its name by moderators: the post is held at once
(`?wait` answers hold), published only when two admins who did not write it approve, and the verdict feed
tells the platform when to publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from beffroi.domain import Grant, Role
from beffroi.runtime import Runtime
from tests.support import item

GROUP = "parodie-clermont"
HARMLESS = "Notre nouvelle vidéo sur le conseil municipal, regardez jusqu'au bout"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    headers: dict[str, str]


def person(runtime: Runtime, name: str, role: Role, space: str | None) -> Person:
    member_id = runtime.credentials.create_member(name, [Grant(role, space)], None, "test")
    token = runtime.credentials.create_token(member_id, "test", None, "test")[1]
    return Person(member_id, name, {"Authorization": f"Bearer {token}"})


@dataclass(frozen=True)
class Group:
    admin1: Person
    admin2: Person
    moderator: Person
    outsider: Person  # an admin of another space


@pytest.fixture
def group(client: TestClient, runtime: Runtime) -> Group:
    for space in (GROUP, "autre-groupe"):
        assert client.post("/v1/spaces", json={"id": space, "name": space}).status_code == 201
    return Group(
        admin1=person(runtime, "camille", Role.ADMIN, GROUP),
        admin2=person(runtime, "dominique", Role.ADMIN, GROUP),
        moderator=person(runtime, "modo", Role.MODERATOR, GROUP),
        outsider=person(runtime, "voisin", Role.ADMIN, "autre-groupe"),
    )


def require_approval(client: TestClient, admin: Person, space: str = GROUP, **approval: Any) -> None:
    response = client.put(f"/v1/spaces/{space}/settings", json={"approval": approval}, headers=admin.headers)
    assert response.status_code == 200, response.text


def post(client: TestClient, by: Person, text: str = HARMLESS, *, author: str = "fb-modo", **context: Any) -> Any:
    payload = item(text, space=GROUP, context=context)
    payload["author"] = {"id": author}
    payload["source"]["platform"] = "facebook"
    response = client.post("/v1/items?wait=30", json=payload, headers=by.headers)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "analysed"
    return response.json()


def approve(client: TestClient, who: Person, item_id: str, decision: str = "approve", note: str | None = None) -> Any:
    return client.post(f"/v1/items/{item_id}/approvals", json={"decision": decision, "note": note}, headers=who.headers)


def kinds(verdict: dict[str, Any]) -> list[str]:
    return [action["kind"] for action in verdict["actions"]]


def feed(client: TestClient, item_id: str, who: Person) -> list[dict[str, Any]]:
    page = client.get(f"/v1/verdicts?space={GROUP}", headers=who.headers).json()
    return [v for v in page["verdicts"] if v["item_id"] == item_id]


def test_a_post_in_the_groups_name_waits_for_two_admins_who_did_not_write_it(
    client: TestClient, runtime: Runtime, group: Group
) -> None:
    require_approval(client, group.admin1, roles=["moderator"], in_name_of_space=True, approvals_required=2)
    # Alex is an admin of the group in Beffroi, and the moderator account fb-modo on the platform.
    alex = person(runtime, "alex", Role.ADMIN, GROUP)
    linked = client.post(
        f"/v1/members/{alex.id}/accounts", json={"platform": "facebook", "account_id": "fb-modo"}, headers=alex.headers
    )
    assert linked.status_code == 201, linked.text

    held = post(client, group.moderator, in_name_of_space=True, author_role="moderator")
    assert kinds(held["verdict"])[0] == "hold"  # check before publish: the platform keeps it unpublished
    assert "space.approval" in held["verdict"]["rules"]
    assert (
        "space.approval: posted in the name of the space by a moderator: "
        "the space requires the approval of two admins before publication"
    ) in held["verdict"]["reasons"]
    assert held["publication"] | {"held_at": None} == {
        "state": "held",
        "approvals_required": 2,
        "approvals_given": 0,
        "approvals": [],
        "held_at": None,
        "decided_at": None,
    }
    ordinary = post(client, group.moderator, author="fb-lea", author_role="member")
    assert kinds(ordinary["verdict"]) == ["allow"]
    assert ordinary["publication"]["state"] == "not_held"

    item_id = held["id"]
    own = approve(client, alex, item_id)
    assert own.status_code == 403
    assert "alex is the author" in own.json()["error"]["message"]
    assert "facebook:fb-modo" in own.json()["error"]["message"]
    assert approve(client, group.outsider, item_id).status_code == 404  # another space's admin sees nothing
    assert approve(client, group.moderator, item_id).status_code == 403  # sees it, may not approve

    first = approve(client, group.admin1, item_id, note="vu, rien à redire")
    assert first.status_code == 201, first.text
    assert first.json()["publication"]["state"] == "held"
    assert (first.json()["publication"]["approvals_given"], first.json()["publication"]["approvals_required"]) == (1, 2)
    assert kinds(first.json()["verdict"])[0] == "hold"
    again = approve(client, group.admin1, item_id)
    assert again.status_code == 409
    assert "1 of 2 approvals" in again.json()["error"]["message"]
    assert "another admin" in again.json()["error"]["hint"]

    second = approve(client, group.admin2, item_id)
    assert second.status_code == 201, second.text
    published = client.get(f"/v1/items/{item_id}").json()
    assert published["publication"]["state"] == "published"
    assert [(a["member"]["name"], a["decision"], a["note"]) for a in published["publication"]["approvals"]] == [
        ("camille", "approve", "vu, rien à redire"),
        ("dominique", "approve", None),
    ]
    assert published["verdict"]["policy"] == "approval"
    assert kinds(published["verdict"]) == ["allow"]
    assert published["verdict"]["reasons"] == ["approved by camille: vu, rien à redire", "approved by dominique"]

    sent = feed(client, item_id, group.admin2)
    assert [(v["disposition"], v["policy"]) for v in sent] == [("hold", "beffroi-default@1"), ("allow", "approval")]
    assert int(sent[0]["cursor"]) < int(sent[1]["cursor"])
    assert sent[1]["source"]["platform"] == "facebook"
    assert sent[1]["source"]["remote_id"] == held["source"]["remote_id"]

    late = approve(client, group.admin2, item_id)
    assert late.status_code == 409
    assert "is published already" in late.json()["error"]["message"]
    assert late.json()["error"]["hint"]

    trail = client.get(f"/v1/audit?subject={item_id}").json()
    assert [e["type"] for e in trail if e["type"].startswith("hold.")] == [
        "hold.placed",
        "hold.approval_given",
        "hold.approval_given",
        "hold.published",
    ]
    assert client.get("/v1/audit/verify").json()["ok"] is True


def test_a_rejection_ends_the_hold_with_a_remove_verdict(client: TestClient, group: Group) -> None:
    require_approval(client, group.admin1, in_name_of_space=True, approvals_required=2)
    held = post(client, group.moderator, in_name_of_space=True, author_role="moderator")
    rejected = approve(client, group.admin2, held["id"], "reject", note="montage violent visant des élus")
    assert rejected.status_code == 201, rejected.text
    body = rejected.json()
    assert body["publication"]["state"] == "rejected"
    assert body["publication"]["decided_at"] is not None
    assert body["verdict"]["policy"] == "approval"
    assert kinds(body["verdict"]) == ["remove"]
    assert body["verdict"]["reasons"] == ["publication rejected by dominique: montage violent visant des élus"]
    assert [v["disposition"] for v in feed(client, held["id"], group.admin1)] == ["hold", "remove"]
    after = approve(client, group.admin1, held["id"])
    assert after.status_code == 409
    assert "rejected already" in after.json()["error"]["message"]
    events = [e["type"] for e in client.get(f"/v1/audit?subject={held['id']}").json()]
    assert "hold.rejected" in events


def test_a_single_approval_publishes_a_moderators_post_at_once(client: TestClient, group: Group) -> None:
    require_approval(client, group.admin1, roles=["Moderator"], approvals_required=1)
    held = post(client, group.moderator, author_role="moderator")  # an ordinary post, not in the group's name
    assert held["verdict"]["rules"] == ["space.approval"]  # the requirement alone held it
    assert held["verdict"]["reasons"] == [
        "space.approval: posted by a moderator: the space requires an admin's approval before publication"
    ]
    assert held["publication"]["approvals_required"] == 1
    approved = approve(client, group.admin1, held["id"])
    assert approved.json()["publication"]["state"] == "published"
    assert kinds(approved.json()["verdict"]) == ["allow"]


def test_an_account_on_the_list_is_held_whatever_its_role(client: TestClient, group: Group) -> None:
    require_approval(client, group.admin1, accounts=["fb-troll"])
    held = post(client, group.moderator, author="fb-troll", author_role="member")
    assert held["publication"]["state"] == "held"
    assert "posted by account fb-troll" in held["verdict"]["reasons"][-1]
    assert post(client, group.moderator, author="fb-lea", author_role="member")["publication"]["state"] == "not_held"


def test_a_hold_from_a_policy_rule_also_waits_for_an_admin(client: TestClient, group: Group) -> None:
    held = post(client, group.moderator, "On va lui couper la tête à ce maire.", author="fb-x", author_role="member")
    assert "threat-hold" in held["verdict"]["rules"]
    assert "space.approval" not in held["verdict"]["rules"]  # the space requires nothing: a rule held it
    assert held["publication"] == held["publication"] | {"state": "held", "approvals_required": 1}
    waiting = client.get(f"/v1/holds?space={GROUP}", headers=group.admin1.headers).json()["holds"]
    assert [h["item_id"] for h in waiting] == [held["id"]]
    assert waiting[0]["text"] == "On va lui couper la tête à ce maire."
    assert approve(client, group.admin1, held["id"]).json()["publication"]["state"] == "published"
    assert client.get(f"/v1/holds?space={GROUP}", headers=group.admin1.headers).json()["holds"] == []


def test_holds_are_listed_oldest_first_to_those_who_approve(client: TestClient, group: Group) -> None:
    require_approval(client, group.admin1, roles=["moderator"])
    ids = [post(client, group.moderator, f"{HARMLESS} {n}", author_role="moderator")["id"] for n in range(3)]
    first = client.get("/v1/holds?limit=2", headers=group.admin2.headers).json()
    assert [h["item_id"] for h in first["holds"]] == ids[:2]
    assert first["holds"][0]["publication"]["state"] == "held"
    rest = client.get(f"/v1/holds?limit=2&after={first['next']}", headers=group.admin2.headers).json()
    assert ([h["item_id"] for h in rest["holds"]], rest["next"]) == (ids[2:], None)
    assert client.get("/v1/holds", headers=group.outsider.headers).json()["holds"] == []
    assert client.get(f"/v1/holds?space={GROUP}", headers=group.outsider.headers).status_code == 404
    refused = client.get("/v1/holds", headers=group.moderator.headers)
    assert refused.status_code == 403
    assert "approves in no space" in refused.json()["error"]["message"]
    approve(client, group.admin1, ids[0])
    published = client.get("/v1/holds?state=published", headers=group.admin1.headers).json()["holds"]
    assert [h["item_id"] for h in published] == ids[:1]


def test_approving_an_item_that_was_never_held_is_a_conflict(client: TestClient, group: Group) -> None:
    allowed = post(client, group.moderator, author_role="member")
    refused = approve(client, group.admin1, allowed["id"])
    assert refused.status_code == 409
    assert (
        refused.json()["error"]["message"] == f"item {allowed['id']!r} is not waiting for approval: it was never held"
    )
    assert "GET /v1/holds" in refused.json()["error"]["hint"]


def test_the_running_worker_applies_a_settings_change_without_restart(client: TestClient, group: Group) -> None:
    before = post(client, group.moderator, author_role="moderator")
    assert before["publication"]["state"] == "not_held"
    require_approval(client, group.admin1, roles=["moderator"])
    after = post(client, group.moderator, author_role="moderator")  # the same worker thread, still running
    assert after["publication"]["state"] == "held"
    require_approval(client, group.admin1)  # back to requiring nothing
    assert post(client, group.moderator, author_role="moderator")["publication"]["state"] == "not_held"
