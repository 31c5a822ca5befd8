"""Helpers for tests: items in the wire format, members with a role, row counts, policy versions."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient

from beffroi.domain import Grant, Role
from beffroi.runtime import Runtime


def item(
    text: str = "Bonjour à tous", *, space: str = "default", remote_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    """An item in the API's wire format."""
    return {
        "space": space,
        "author": {"id": "acct-1", "handle": "@alice@example.social"},
        "source": {
            "platform": "mastodon",
            "remote_id": remote_id or uuid.uuid4().hex,
            "url": "https://example.social/@alice/1",
        },
        "text": text,
        **extra,
    }


def token_for(runtime: Runtime, name: str, role: Role, space: str | None) -> str:
    member_id = runtime.credentials.create_member(name, [Grant(role, space)], None, "test")
    return runtime.credentials.create_token(member_id, "test", None, "test")[1]


def count(runtime: Runtime, table: sa.Table) -> int:
    with runtime.db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


HOLD_MARKET = "{name: market-hold, when: 'item.text.contains(\"marché\")', then: [hold]}"


def rules(*entries: str, name: str = "town") -> str:
    """A policy's YAML source with these rules, each a flow mapping."""
    return f"name: {name}\nversion: 1\nrules:\n" + "".join(f"  - {entry}\n" for entry in entries)


def create_spaces(client: TestClient, *ids: str) -> None:
    for space in ids:
        assert client.post("/v1/spaces", json={"id": space, "name": space}).status_code == 201


def push_policy(
    client: TestClient, space: str, source: str, headers: dict[str, str] | None = None, **body: Any
) -> httpx.Response:
    return client.post(f"/v1/spaces/{space}/policy/versions", json={"source": source, **body}, headers=headers)
