"""The default policy sends a threat to the `threats` queue, with that queue's own SLA, and the case shows
the reviewer everything: the text, the signals, the verdict."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from beffroi.settings import Settings
from tests.support import item


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, review_sla_by_queue="threats=4, notices=24")


def test_a_threat_opens_a_case_in_the_threats_queue(client: TestClient) -> None:
    threat = client.post("/v1/items?wait=30", json=item("On va lui couper la tête à ce maire.")).json()
    client.post("/v1/items?wait=30", json=item("Ce maire détruit la ville, votez contre lui"))

    [case] = client.get("/v1/cases").json()
    assert (case["space"], case["queue"], case["status"], case["priority"]) == ("default", "threats", "open", 80)
    assert case["item_count"] == 1 and case["lock"] is None
    opened, due = datetime.fromisoformat(case["opened_at"]), datetime.fromisoformat(case["due_at"])
    assert due - opened == timedelta(hours=4)
    assert 3.9 * 3600 < case["sla_seconds_left"] <= 4 * 3600

    detail = client.get(f"/v1/cases/{case['id']}").json()
    [joined] = detail["items"]
    assert joined["item"]["id"] == threat["id"]
    assert joined["item"]["text"] == "On va lui couper la tête à ce maire."
    assert "threat" in {s["label"] for s in joined["item"]["signals"]}
    assert joined["item"]["verdict"]["actions"][0]["kind"] == "hold"
    assert joined["reason"].startswith("threat-hold")
    assert detail["notices"] == []

    [queue] = client.get("/v1/queues").json()
    assert (queue["queue"], queue["open"], queue["unclaimed"], queue["overdue"]) == ("threats", 1, 1, 0)
    assert 0 <= queue["oldest_age_seconds"] < 600
