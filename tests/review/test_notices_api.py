"""Notices through the API: anyone reports, gets an acknowledgement and a receipt, follows the notice with it;
notices gather in the item's case; trusted flaggers come first; the policy sees how many notices an item has."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from beffroi.domain import Role
from beffroi.runtime import Runtime
from beffroi.settings import Settings
from beffroi.store import items_store
from beffroi.store.schema import audit_events, cases, notices, verdicts
from beffroi.web.app import create_app
from tests.review.support import ANONYMOUS, notice
from tests.support import item, token_for

POLICY = """\
name: reports
version: 1
rules:
  - name: mild
    when: item.text.contains("mild")
    then:
      - open_case: {queue: review, priority: 40}
  - name: hidden-when-reported
    description: three notices hide the item until a human looks
    when: notices >= 3
    then:
      - hide
      - open_case: {queue: notices, priority: 40}
"""


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    return dataclasses.replace(settings, policy_file=str(policy))


def _item(client: TestClient, text: str = "Bonjour", space: str = "default") -> str:
    return str(client.post("/v1/items?wait=30", json=item(text, space=space)).json()["id"])


def _rows(runtime: Runtime, query: sa.Select[Any]) -> list[sa.Row[Any]]:
    with runtime.db.read() as conn:
        return list(conn.execute(query))


def _events(runtime: Runtime, type_: str) -> list[dict[str, Any]]:
    query = sa.select(audit_events.c.data).where(audit_events.c.type == type_).order_by(audit_events.c.seq)
    return [orjson.loads(row.data) for row in _rows(runtime, query)]


def test_a_notice_without_an_account_is_acknowledged_and_followed_with_its_receipt(
    client: TestClient, runtime: Runtime
) -> None:
    item_id = _item(client)
    sent = client.post("/v1/notices", json=notice(item_id, email="claire@example.org"), headers=ANONYMOUS)
    assert sent.status_code == 201, sent.text
    ack = sent.json()
    assert ack["receipt"].startswith("ntr_") and ack["status"] == "received" and ack["trusted"] is False
    path = f"/v1/notices/{ack['id']}"

    assert client.get(path, headers=ANONYMOUS).json()["error"]["code"] == "unauthorized"
    assert client.get(path, headers={**ANONYMOUS, "X-Notice-Receipt": "ntr_guessed"}).status_code == 404
    mine = client.get(path, headers={**ANONYMOUS, "X-Notice-Receipt": ack["receipt"]})
    assert mine.status_code == 200
    assert (mine.json()["status"], mine.json()["outcome"], mine.json()["item_id"]) == ("received", None, item_id)
    assert "notifier" not in mine.json() and "case_id" not in mine.json()  # the staff view is not the notifier's
    assert client.get(f"{path}?receipt={ack['receipt']}", headers=ANONYMOUS).status_code == 200

    staff = client.get(path).json()
    assert staff["notifier"] == {"kind": "person", "name": "Claire", "email": "claire@example.org"}
    [stored] = _rows(runtime, sa.select(notices))
    assert stored.receipt_hash == hashlib.sha256(ack["receipt"].encode()).hexdigest()
    assert ack["receipt"] not in repr(tuple(stored))  # the receipt itself is kept nowhere
    [received] = _events(runtime, "notice.received")
    assert "claire" not in orjson.dumps(received).decode()  # the permanent log holds no email


def test_the_acknowledgement_waits_in_the_outbox_until_delivered(client: TestClient, runtime: Runtime) -> None:
    remote = item("Bonjour")
    item_id = client.post("/v1/items?wait=30", json=remote).json()["id"]
    by_source = {"platform": "mastodon", "remote_id": remote["source"]["remote_id"]}
    sent = client.post("/v1/notices", json=notice("", email="claire@example.org", item=by_source), headers=ANONYMOUS)
    assert sent.status_code == 201 and sent.json()["item_id"] == item_id

    [owed] = client.get("/v1/notifications?undelivered=true").json()
    assert (owed["kind"], owed["recipient_kind"], owed["recipient"]) == (
        "notice.acknowledged",
        "notifier",
        sent.json()["id"],
    )
    assert owed["body"]["notifier"]["email"] == "claire@example.org"
    assert owed["body"]["item"]["remote_id"] == by_source["remote_id"]
    delivered = client.post(f"/v1/notifications/{owed['id']}/delivered").json()
    assert delivered["delivered_at"] is not None
    again = client.post(f"/v1/notifications/{owed['id']}/delivered").json()
    assert again["delivered_at"] == delivered["delivered_at"]
    assert client.get("/v1/notifications?undelivered=true").json() == []
    assert client.get(f"/v1/notifications?after={owed['id']}").json() == []
    assert len(_events(runtime, "notification.delivered")) == 1

    reviewer = {"Authorization": f"Bearer {token_for(runtime, 'rev', Role.REVIEWER, 'default')}"}
    assert client.get("/v1/notifications", headers=reviewer).json() == []  # relaying is not a reviewer's job
    assert client.post(f"/v1/notifications/{owed['id']}/delivered", headers=reviewer).status_code == 404


def test_duplicate_notices_about_one_item_join_one_case(client: TestClient, runtime: Runtime) -> None:
    item_id = _item(client)
    sent = [
        client.post("/v1/notices", json=notice(item_id, email=f"n{i}@example.org"), headers=ANONYMOUS).json()
        for i in range(3)
    ]
    [case] = _rows(runtime, sa.select(cases))
    assert (case.queue, case.priority) == ("notices", 40)  # opened at 30, raised to 40 by the policy's rule
    assert {row.case_id for row in _rows(runtime, sa.select(notices))} == {case.id}
    detail = client.get(f"/v1/cases/{case.id}").json()
    assert detail["notice_count"] == 3 and {n["id"] for n in detail["notices"]} == {n["id"] for n in sent}

    in_review = _item(client, "a mild remark")
    client.post("/v1/notices", json=notice(in_review), headers=ANONYMOUS)
    [joined] = [c for c in client.get("/v1/cases").json() if c["queue"] == "review"]
    assert joined["notice_count"] == 1 and len(_rows(runtime, sa.select(cases))) == 2  # it joined, opened none


def test_a_trusted_flaggers_notice_is_marked_and_raises_priority(client: TestClient, runtime: Runtime) -> None:
    client.post("/v1/spaces", json={"id": "club", "name": "Football club"})
    flagger = {"Authorization": f"Bearer {token_for(runtime, 'watchdog', Role.TRUSTED_FLAGGER, 'default')}"}
    in_review = _item(client, "a mild remark")
    [case] = client.get("/v1/cases").json()
    assert case["priority"] == 40

    trusted = client.post("/v1/notices", json=notice(in_review), headers=flagger).json()
    assert trusted["trusted"] is True
    assert client.get(f"/v1/notices/{trusted['id']}").json()["notifier"]["kind"] == "trusted_flagger"
    assert client.get(f"/v1/cases/{case['id']}").json()["priority"] == 70
    client.post("/v1/notices", json=notice(in_review), headers=flagger)
    assert client.get(f"/v1/cases/{case['id']}").json()["priority"] == 80

    quiet, other = _item(client, "Bonjour"), _item(client, "Bonjour encore")
    client.post("/v1/notices", json=notice(quiet), headers=flagger)
    client.post("/v1/notices", json=notice(other), headers=ANONYMOUS)
    opened = {c["priority"] for c in client.get("/v1/cases?queue=notices").json()}
    assert opened == {70, 30}  # a trusted flagger's notice opens its case ahead of a user's

    elsewhere = client.post("/v1/notices", json=notice(_item(client, "Salut", space="club")), headers=flagger).json()
    assert elsewhere["trusted"] is False  # trusted in its own space only
    assert client.get("/v1/cases", headers=flagger).json() == []  # and it reads no case
    assert client.get(f"/v1/notices/{trusted['id']}", headers=flagger).status_code == 404


def test_notices_raise_the_policys_count_and_a_rule_on_it_changes_the_verdict(
    client: TestClient, runtime: Runtime
) -> None:
    item_id = _item(client)
    assert client.get(f"/v1/items/{item_id}").json()["verdict"]["actions"] == [{"kind": "allow", "params": {}}]
    for i in range(2):
        client.post("/v1/notices", json=notice(item_id, email=f"n{i}@example.org"), headers=ANONYMOUS)
    assert len(_rows(runtime, sa.select(verdicts))) == 1  # the actions did not change: no new verdict

    client.post("/v1/notices", json=notice(item_id, email="n3@example.org"), headers=ANONYMOUS)
    verdict = client.get(f"/v1/items/{item_id}").json()["verdict"]
    assert verdict["actions"][0]["kind"] == "hide"
    assert verdict["rules"] == ["hidden-when-reported"]
    assert len(_rows(runtime, sa.select(verdicts))) == 2
    assert [e["actions"] for e in _events(runtime, "verdict.issued")] == [["allow"], ["hide", "open_case"]]


def test_the_worker_counts_the_notices_of_an_item_still_pending(runtime: Runtime, admin_token: str) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"}
    with TestClient(create_app(runtime, workers=0), headers=headers) as client:  # nothing analyses meanwhile
        item_id = client.post("/v1/items", json=item("Bonjour")).json()["id"]
        for i in range(3):
            sent = client.post("/v1/notices", json=notice(item_id, email=f"n{i}@example.org"), headers=ANONYMOUS)
            assert sent.status_code == 201
        assert client.get(f"/v1/items/{item_id}").json()["verdict"] is None
        worker = runtime.worker("test")
        assert worker.run_once() == 1
        worker.close()
        assert client.get(f"/v1/items/{item_id}").json()["verdict"]["rules"] == ["hidden-when-reported"]


def test_the_openapi_document_describes_the_review_calls(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/v1/notices", "/v1/notices/{notice_id}", "/v1/cases/{case_id}/claim", "/v1/queues/next"):
        assert path in spec["paths"], path
    assert {"item", "reason", "explanation", "good_faith"} <= set(spec["components"]["schemas"]["NoticeIn"]["required"])


def test_a_notice_arriving_while_the_worker_analyses_is_counted(runtime: Runtime, admin_token: str) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"}
    with TestClient(create_app(runtime, workers=0), headers=headers) as client:
        item_id = client.post("/v1/items", json=item("Bonjour")).json()["id"]
        worker = runtime.worker("test")
        jobs = runtime.queue.claim(worker.name, 10)
        with runtime.db.read() as conn:
            judged = worker._analyze(jobs, items_store.get_items(conn, [item_id]), {})  # judged with no notice
        for i in range(3):  # ... then notices arrive before the verdict is recorded
            client.post("/v1/notices", json=notice(item_id, email=f"n{i}@example.org"), headers=ANONYMOUS)
        runtime.db.writer.run(lambda tx: worker._record(tx, judged))
        worker.close()
        assert client.get(f"/v1/items/{item_id}").json()["verdict"]["rules"] == ["hidden-when-reported"]
