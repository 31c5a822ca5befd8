"""A notice's whole life through the API, as the issue checks it: a notifier without an account reports a
threat, gets an acknowledgement and a receipt; a reviewer takes the case from the queue and removes the item;
the notifier reads the outcome with the receipt, the platform reads the removal from the verdict feed, and the
relay finds both notifications owed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from beffroi.domain import Role
from beffroi.runtime import Runtime
from beffroi.store import audit_log
from tests.review.decision_support import THREAT, reviewer
from tests.review.support import ANONYMOUS, notice
from tests.support import item


def test_a_notice_is_acknowledged_then_told_the_outcome(client: TestClient, runtime: Runtime) -> None:
    posted = client.post("/v1/items?wait=30", json=item(THREAT)).json()
    assert posted["status"] == "analysed"

    sent = client.post("/v1/notices", json=notice(posted["id"], email="claire@example.org"), headers=ANONYMOUS)
    assert sent.status_code == 201, sent.text
    ack = sent.json()
    assert (ack["status"], ack["item_id"], ack["reason"]) == ("received", posted["id"], "threats")
    receipt = {"X-Notice-Receipt": ack["receipt"], **ANONYMOUS}
    assert client.get(f"/v1/notices/{ack['id']}", headers=receipt).json()["status"] == "received"

    anna = reviewer(runtime, "anna")
    taken = client.post("/v1/queues/next?queue=threats", headers=anna.headers)
    assert taken.status_code == 200, taken.text
    case = taken.json()
    assert case["notice_count"] == 1  # the notice joined the case the threat opened, not a second one
    decided = client.post(
        f"/v1/cases/{case['id']}/decisions",
        json={"action": "remove", "ground": "threats", "statement": "Menace de mort contre le maire."},
        headers=anna.headers,
    )
    assert decided.status_code == 201, decided.text
    assert decided.json()["status"] == "effective"

    seen = client.get(f"/v1/notices/{ack['id']}", headers=receipt).json()
    assert seen["status"] == "decided"
    assert seen["outcome"]["action"] == "remove"
    assert "Menace de mort" in seen["outcome"]["statement"]

    feed = client.get("/v1/verdicts").json()["verdicts"]
    assert [v["disposition"] for v in feed if v["item_id"] == posted["id"]] == ["hold", "remove"]
    kinds = {(n["kind"], n["recipient"]) for n in client.get("/v1/notifications").json()}
    assert ("notice.acknowledged", ack["id"]) in kinds
    assert ("notice.outcome", ack["id"]) in kinds
    with runtime.db.read() as conn:
        assert audit_log.verify(conn).ok


def test_a_reviewer_outside_the_space_never_sees_the_case(client: TestClient, runtime: Runtime) -> None:
    client.post("/v1/items?wait=30", json=item(THREAT))
    client.post("/v1/spaces", json={"id": "elsewhere", "name": "Elsewhere"})
    outsider = reviewer(runtime, "olga", Role.REVIEWER, "elsewhere")
    assert client.post("/v1/queues/next?queue=threats", headers=outsider.headers).status_code == 204
    assert client.get("/v1/cases", headers=outsider.headers).json() == []
