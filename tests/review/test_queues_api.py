"""Queues through the API: order by severity, reach and age with overdue cases first; claims that never let
two reviewers work one case; spaces that keep cases out of sight."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from beffroi.domain import Role
from beffroi.runtime import Runtime
from beffroi.settings import Settings
from beffroi.store.schema import cases
from tests.support import item, token_for

POLICY = """\
name: queues
version: 1
rules:
  - name: severe
    when: item.text.contains("severe")
    then:
      - open_case: {queue: review, priority: 80}
  - name: mild
    when: item.text.contains("mild")
    then:
      - open_case: {queue: review, priority: 40}
"""


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    return dataclasses.replace(settings, policy_file=str(policy), review_sla_hours=24)


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _case_for(client: TestClient, text: str, audience: int = 0, space: str = "default") -> str:
    body = item(text, space=space, context={"audience_size": audience})
    item_id = client.post("/v1/items?wait=30", json=body).json()["id"]
    [found] = [c for c in client.get("/v1/cases?limit=500").json() if _holds(client, c["id"], item_id)]
    return str(found["id"])


def _holds(client: TestClient, case_id: str, item_id: str) -> bool:
    return any(i["item"]["id"] == item_id for i in client.get(f"/v1/cases/{case_id}").json()["items"])


def _age(runtime: Runtime, case_id: str, opened_hours_ago: float, due_in_hours: float) -> None:
    now = datetime.now(UTC)
    values = {"opened_at": now - timedelta(hours=opened_hours_ago), "due_at": now + timedelta(hours=due_in_hours)}
    runtime.db.writer.run(lambda tx: tx.conn.execute(cases.update().where(cases.c.id == case_id).values(**values)))


def test_queue_order_is_overdue_first_then_severity_reach_and_age(client: TestClient, runtime: Runtime) -> None:
    mild = _case_for(client, "mild remark")
    severe = _case_for(client, "severe remark")
    widely_seen = _case_for(client, "mild remark, widely seen", audience=1_000_000)
    waiting = _case_for(client, "mild remark, waiting")
    overdue = _case_for(client, "mild remark, overdue")
    _age(runtime, waiting, opened_hours_ago=20, due_in_hours=4)  # 20 of its 24 hours spent
    _age(runtime, overdue, opened_hours_ago=30, due_in_hours=-6)

    listed = client.get("/v1/cases?queue=review").json()
    assert [c["id"] for c in listed] == [overdue, severe, widely_seen, waiting, mild]
    effective = {c["id"]: c["effective_priority"] for c in listed}
    assert effective[mild] == pytest.approx(40, abs=0.1)
    assert effective[widely_seen] == pytest.approx(40 + 5 * 6, abs=0.1)  # 5 points per power of ten
    assert effective[waiting] == pytest.approx(40 + 20 * 20 / 24, abs=0.1)  # share of its SLA spent
    assert [c["overdue"] for c in listed] == [True, False, False, False, False]
    assert listed[0]["sla_seconds_left"] < 0 < listed[1]["sla_seconds_left"]

    assert [c["id"] for c in client.get("/v1/cases?overdue=true").json()] == [overdue]
    assert [c["id"] for c in client.get("/v1/cases?queue=review&limit=2&offset=1").json()] == [severe, widely_seen]
    assert client.get("/v1/cases?queue=elsewhere").json() == []


def test_a_claimed_case_refuses_a_second_reviewer_naming_the_holder(client: TestClient, runtime: Runtime) -> None:
    case_id = _case_for(client, "severe remark")
    anna = _as(token_for(runtime, "anna", Role.REVIEWER, "default"))
    bruno = _as(token_for(runtime, "bruno", Role.REVIEWER, "default"))

    claimed = client.post(f"/v1/cases/{case_id}/claim", headers=anna)
    assert claimed.status_code == 200
    assert claimed.json()["lock"]["name"] == "anna"
    refused = client.post(f"/v1/cases/{case_id}/claim", headers=bruno)
    assert refused.status_code == 409
    assert "being reviewed by anna" in refused.json()["error"]["message"]
    assert client.post(f"/v1/cases/{case_id}/release", headers=bruno).status_code == 409  # not his to release

    assert [c["id"] for c in client.get("/v1/cases?assigned=me", headers=anna).json()] == [case_id]
    assert client.get("/v1/cases?assigned=none", headers=anna).json() == []
    released = client.post(f"/v1/cases/{case_id}/release", headers=anna)
    assert released.status_code == 200 and released.json()["lock"] is None
    assert client.post(f"/v1/cases/{case_id}/claim", headers=bruno).json()["lock"]["name"] == "bruno"


def test_reviewers_asking_for_the_next_case_together_get_different_ones(client: TestClient, runtime: Runtime) -> None:
    first, second = _case_for(client, "severe remark"), _case_for(client, "mild remark")
    reviewers = [_as(token_for(runtime, name, Role.REVIEWER, "default")) for name in ("anna", "bruno")]

    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(lambda h: client.post("/v1/queues/next?space=default&queue=review", headers=h), reviewers)
        )
    assert [a.status_code for a in answers] == [200, 200]
    assert {a.json()["id"] for a in answers} == {first, second}
    assert {a.json()["lock"]["name"] for a in answers} == {"anna", "bruno"}
    assert client.post("/v1/queues/next", headers=reviewers[0]).status_code == 204  # nothing unclaimed is left

    [queue] = client.get("/v1/queues").json()
    assert (queue["space"], queue["queue"], queue["open"], queue["unclaimed"], queue["overdue"]) == (
        "default",
        "review",
        2,
        0,
        0,
    )


def test_the_next_case_is_the_first_in_queue_order(client: TestClient, runtime: Runtime) -> None:
    _case_for(client, "mild remark")
    severe = _case_for(client, "severe remark")
    reviewer = _as(token_for(runtime, "anna", Role.REVIEWER, "default"))
    assert client.post("/v1/queues/next?queue=review", headers=reviewer).json()["id"] == severe


def test_cases_outside_ones_spaces_are_not_found(client: TestClient, runtime: Runtime) -> None:
    client.post("/v1/spaces", json={"id": "club", "name": "Football club"})
    case_id = _case_for(client, "severe remark")
    outsider = _as(token_for(runtime, "outsider", Role.REVIEWER, "club"))
    assert client.get(f"/v1/cases/{case_id}", headers=outsider).status_code == 404
    assert client.post(f"/v1/cases/{case_id}/claim", headers=outsider).status_code == 404
    assert client.get("/v1/cases", headers=outsider).json() == []
    assert client.get("/v1/queues", headers=outsider).json() == []
    assert client.post("/v1/queues/next?space=default", headers=outsider).status_code == 403
    assert client.post("/v1/queues/next", headers=outsider).status_code == 204  # nothing in its own space

    analyst = _as(token_for(runtime, "ana", Role.ANALYST, "default"))
    assert client.get(f"/v1/cases/{case_id}", headers=analyst).status_code == 200
    refused = client.post(f"/v1/cases/{case_id}/claim", headers=analyst)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


def test_decided_cases_are_listed_apart_newest_decision_first(client: TestClient, runtime: Runtime) -> None:
    first, second, still_open = (_case_for(client, f"mild remark {n}") for n in range(3))
    for case_id, hours_ago in ((first, 2), (second, 1)):
        closed = {"status": "decided", "open_group": None, "closed_at": datetime.now(UTC) - timedelta(hours=hours_ago)}
        runtime.db.writer.run(
            lambda tx, c=case_id, v=closed: tx.conn.execute(cases.update().where(cases.c.id == c).values(**v))
        )
    decided = client.get("/v1/cases?status=decided").json()
    assert [c["id"] for c in decided] == [second, first]
    assert all(c["effective_priority"] is None and c["sla_seconds_left"] is None for c in decided)
    assert [c["id"] for c in client.get("/v1/cases").json()] == [still_open]
    assert client.post(f"/v1/cases/{first}/claim").status_code == 409  # nothing left to claim
