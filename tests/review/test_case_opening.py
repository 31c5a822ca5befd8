"""Verdicts open cases: one per group and queue, joined by later items, never duplicated."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from beffroi.runtime import Runtime
from beffroi.settings import Settings
from beffroi.store.schema import audit_events, case_items, cases
from beffroi.web.app import create_app
from tests.support import item

POLICY = """\
name: grouping
version: 1
rules:
  - name: greetings-by-author
    description: greetings are reviewed together per author
    when: item.text.contains("Bonjour")
    then:
      - open_case: {queue: greetings, priority: 10, group: author}
  - name: urgent-greetings
    description: urgent greetings raise the priority
    when: item.text.contains("URGENT")
    then:
      - open_case: {queue: greetings, priority: 90, group: author}
  - name: farewells-per-item
    description: each farewell is its own case
    when: item.text.contains("Adieu")
    then:
      - open_case: farewells
"""


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    return dataclasses.replace(settings, policy_file=str(policy), review_sla_hours=4)


@pytest.fixture
def client(runtime: Runtime, admin_token: str) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), headers={"Authorization": f"Bearer {admin_token}"}) as test_client:
        yield test_client


def _rows(runtime: Runtime, table: sa.Table) -> list[sa.Row[object]]:
    with runtime.db.read() as conn:
        return list(conn.execute(sa.select(table)))


def _post(client: TestClient, text: str, author: str = "acct-1") -> str:
    body = item(text)
    body["author"] = {"id": author}
    response = client.post("/v1/items?wait=30", json=body)
    assert response.json()["status"] == "analysed"
    return str(response.json()["id"])


def test_items_of_one_author_join_one_case_whose_priority_rises(client: TestClient, runtime: Runtime) -> None:
    first = _post(client, "Bonjour")
    second = _post(client, "Bonjour, URGENT")
    other_author = _post(client, "Bonjour", author="acct-2")

    found = _rows(runtime, cases)
    assert len(found) == 2
    joined = next(c for c in found if c.group_key == "mastodon:acct-1")
    assert (joined.queue, joined.group_kind, joined.status, joined.priority) == ("greetings", "author", "open", 90)
    assert joined.due_at - joined.opened_at == timedelta(hours=4)
    members = {(r.case_id, r.item_id) for r in _rows(runtime, case_items)}
    assert members == {(joined.id, first), (joined.id, second), (found[1 - found.index(joined)].id, other_author)}

    events = [(e.type, e.subject) for e in _rows(runtime, audit_events) if e.type.startswith("case.")]
    assert events.count(("case.opened", joined.id)) == 1
    assert ("case.item_added", joined.id) in events


def test_per_item_cases_are_separate_and_an_item_is_never_added_twice(client: TestClient, runtime: Runtime) -> None:
    first = _post(client, "Adieu")
    second = _post(client, "Adieu encore")
    found = _rows(runtime, cases)
    assert sorted(c.group_key for c in found) == sorted([first, second])
    assert all(c.queue == "farewells" and c.priority == 50 for c in found)
    assert len(_rows(runtime, case_items)) == 2


def test_an_item_no_rule_sends_to_review_opens_no_case(client: TestClient, runtime: Runtime) -> None:
    _post(client, "Une belle journée")
    assert _rows(runtime, cases) == []
