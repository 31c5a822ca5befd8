"""Helpers for tests: items in the wire format, members with a role, row counts."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

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
