"""Decision fixtures through the real paths: a threat posted to the API opens a case under the default policy,
reviewers are members with tokens, and a claim takes the case's lock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from beffroi.domain import Grant, Role
from beffroi.review import locks
from beffroi.runtime import Runtime
from beffroi.store.schema import notices
from tests.review.support import case_of
from tests.support import item

THREAT = "On va lui couper la tête à ce maire."
NO_TOKEN = {"Authorization": ""}


@dataclass(frozen=True)
class Reviewer:
    member_id: str
    headers: dict[str, str]


def reviewer(runtime: Runtime, name: str, role: Role = Role.REVIEWER, space: str | None = "default") -> Reviewer:
    member_id = runtime.credentials.create_member(name, [Grant(role, space)], None, "test")
    token = runtime.credentials.create_token(member_id, "test", None, "test")[1]
    return Reviewer(member_id, {"Authorization": f"Bearer {token}"})


def claim(runtime: Runtime, case_id: str, who: Reviewer) -> None:
    runtime.db.writer.run(lambda tx: locks.claim(tx, case_id, who.member_id, timedelta(minutes=30)))


def threat_case(
    client: TestClient, runtime: Runtime, *, official: bool = False, author: str = "acct-1"
) -> tuple[str, str]:
    """(case id, item id): a threat the default policy holds and sends to the `threats` queue."""
    body = item(THREAT, context={"author_is_official": True} if official else {})
    body["author"] = {"id": author, "handle": f"@{author}@example.social"}
    posted = client.post("/v1/items?wait=30", json=body).json()
    assert posted["status"] == "analysed", posted
    assert posted["verdict"]["actions"][0]["kind"] == "hold"
    return case_of(runtime, posted["id"]), posted["id"]


def decide(client: TestClient, case_id: str, who: Reviewer, **body: Any) -> Any:
    return client.post(f"/v1/cases/{case_id}/decisions", json=body, headers=who.headers)


def removal(client: TestClient, case_id: str, who: Reviewer) -> Any:
    return decide(
        client,
        case_id,
        who,
        action="remove",
        ground="threats",
        statement="Le message appelle à décapiter le maire : une menace de mort.",
    )


def rows(runtime: Runtime, table: sa.Table, *where: Any) -> list[Any]:
    with runtime.db.read() as conn:
        return list(conn.execute(sa.select(table).where(*where)))


def notice_on(runtime: Runtime, case_id: str, item_id: str, *, trusted: bool = False) -> str:
    """A notice about the item, joined to its case, as notices intake records it."""
    notice_id = f"ntc_{uuid.uuid4().hex[:20]}"
    row = {
        "id": notice_id,
        "item_id": item_id,
        "case_id": case_id,
        "reason": "threats",
        "explanation": "Ce message menace le maire de mort.",
        "notifier_kind": "trusted_flagger" if trusted else "person",
        "notifier_name": "Camille",
        "notifier_email": "camille@example.org",
        "notifier_member_id": None,
        "source_key": "camille@example.org",
        "trusted": trusted,
        "flagged": False,
        "receipt_hash": uuid.uuid4().hex * 2,
        "status": "received",
        "outcome": None,
        "created_at": datetime.now(UTC),
    }
    runtime.db.writer.run(lambda tx: tx.conn.execute(notices.insert().values(**row)))
    return notice_id
