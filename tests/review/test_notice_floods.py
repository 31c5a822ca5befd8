"""Notice floods: past BEFFROI_NOTICE_RATE_LIMIT an hour, a source is refused with 429 and Retry-After, its
notices of the hour are flagged and the flood audited; what was accepted is kept."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from beffroi.domain import Role
from beffroi.runtime import Runtime
from beffroi.settings import Settings
from beffroi.store.schema import audit_events, notices
from tests.review.support import ANONYMOUS, notice
from tests.support import count, item, token_for

LIMIT = 3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, notice_rate_limit=LIMIT)


def _item(client: TestClient) -> str:
    return str(client.post("/v1/items?wait=30", json=item("Bonjour")).json()["id"])


def _floods(runtime: Runtime) -> int:
    with runtime.db.read() as conn:
        query = sa.select(sa.func.count()).where(audit_events.c.type == "notice.flood_flagged")
        return int(conn.execute(query).scalar_one())


def _send(client: TestClient, item_id: str, email: str | None, headers: dict[str, str] = ANONYMOUS) -> Any:
    return client.post("/v1/notices", json=notice(item_id, email=email), headers=headers)


def test_a_flood_from_one_source_is_refused_flagged_and_kept(client: TestClient, runtime: Runtime) -> None:
    item_id = _item(client)
    accepted = [_send(client, item_id, "flood@example.org").json()["id"] for _ in range(LIMIT)]
    assert not any(n["flagged"] for n in client.get("/v1/notices").json())

    refused = _send(client, item_id, "FLOOD@example.org")  # the same address, however it is written
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited" and refused.json()["error"]["status"] == 429
    assert "seconds" in refused.json()["error"]["hint"]
    assert 3500 < int(refused.headers["Retry-After"]) <= 3600
    assert {n["id"] for n in client.get("/v1/notices?flagged=true").json()} == set(accepted)
    assert _floods(runtime) == 1

    assert _send(client, item_id, "flood@example.org").status_code == 429
    assert _floods(runtime) == 1  # one flood, recorded once
    assert count(runtime, notices) == LIMIT  # nothing accepted was dropped, nothing refused was kept

    other = _send(client, item_id, "someone.else@example.org")
    assert other.status_code == 201
    assert client.get(f"/v1/notices/{other.json()['id']}").json()["flagged"] is False


def test_a_token_counts_before_an_email_and_an_email_before_an_address(client: TestClient, runtime: Runtime) -> None:
    item_id = _item(client)
    member = {"Authorization": f"Bearer {token_for(runtime, 'busy', Role.REVIEWER, 'default')}"}
    for i in range(LIMIT):
        assert _send(client, item_id, f"alias{i}@example.org", headers=member).status_code == 201
    assert _send(client, item_id, "alias9@example.org", headers=member).status_code == 429

    for _ in range(LIMIT):
        assert _send(client, item_id, None).status_code == 201  # anonymous: its address counts
    assert _send(client, item_id, None).status_code == 429
    assert _send(client, item_id, "named@example.org").status_code == 201  # from the same address, with an email


def test_a_source_may_send_again_when_its_oldest_notice_leaves_the_hour(client: TestClient, runtime: Runtime) -> None:
    item_id = _item(client)
    first = [_send(client, item_id, "flood@example.org").json()["id"] for _ in range(LIMIT)]
    assert _send(client, item_id, "flood@example.org").status_code == 429

    older = (
        notices.update().where(notices.c.id == first[0]).values(created_at=notices.c.created_at - timedelta(hours=1))
    )
    runtime.db.writer.run(lambda tx: tx.conn.execute(older))
    again = _send(client, item_id, "flood@example.org")
    assert again.status_code == 201
    assert client.get(f"/v1/notices/{again.json()['id']}").json()["flagged"] is True  # still in a flood's hour
