"""The audit trail is a hash chain: any edited, deleted or truncated row is found."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from beffroi.runtime import Runtime
from beffroi.store import audit_log
from beffroi.store.schema import audit_events, items
from tests.support import item


def _verify(runtime: Runtime) -> audit_log.VerifyResult:
    with runtime.db.read() as conn:
        return audit_log.verify(conn)


def _fill(client: TestClient) -> None:
    client.post("/v1/items/batch", json={"items": [item(f"message {i}") for i in range(20)]})
    client.post("/v1/items?wait=10", json=item("last one"))


def _tamper(runtime: Runtime, statement: sa.Executable) -> None:
    with runtime.db.write_engine.begin() as conn:
        conn.execute(statement)


def test_every_step_is_recorded_and_the_chain_verifies(client: TestClient, runtime: Runtime) -> None:
    _fill(client)
    result = _verify(runtime)
    assert result.ok, result.problems
    with runtime.db.read() as conn:
        types = set(conn.execute(sa.select(audit_events.c.type)).scalars())
    assert {
        "space.created",
        "member.created",
        "token.created",
        "item.ingested",
        "signals.recorded",
        "verdict.issued",
    } <= types


def test_an_edited_row_is_detected(client: TestClient, runtime: Runtime) -> None:
    _fill(client)
    _tamper(runtime, audit_events.update().where(audit_events.c.seq == 5).values(actor="member:someone-else"))
    result = _verify(runtime)
    assert not result.ok
    assert any("event 5" in p and "altered" in p for p in result.problems)


def test_a_deleted_row_is_detected(client: TestClient, runtime: Runtime) -> None:
    _fill(client)
    _tamper(runtime, audit_events.delete().where(audit_events.c.seq == 7))
    assert any("missing" in p for p in _verify(runtime).problems)


def test_a_removed_tail_is_detected(client: TestClient, runtime: Runtime) -> None:
    _fill(client)
    last = _verify(runtime).events
    _tamper(runtime, audit_events.delete().where(audit_events.c.seq > last - 3))
    assert any("removed" in p for p in _verify(runtime).problems)


def test_an_item_text_edited_in_the_database_is_detected(client: TestClient, runtime: Runtime) -> None:
    stored = client.post("/v1/items", json=item("Je ne menace personne")).json()["id"]
    assert _verify(runtime).ok
    _tamper(runtime, items.update().where(items.c.id == stored).values(text="Je menace tout le monde"))
    problems = _verify(runtime).problems
    assert len(problems) == 1
    assert problems[0].startswith(f"item {stored}: its text differs from the text received (audit event ")


def test_a_rewritten_chain_still_breaks_at_the_head(client: TestClient, runtime: Runtime) -> None:
    # Even recomputing every hash after an edit does not help without also forging the head row.
    _fill(client)
    with runtime.db.write_engine.begin() as conn:
        rows = conn.execute(sa.select(audit_events).order_by(audit_events.c.seq)).all()
        prev = audit_log.GENESIS_HASH
        for row in rows:
            data = row.data.replace('"space":"default"', '"space":"elsewhere"')
            digest = audit_log.chain_hash(prev, row.seq, row.type, row.at, row.actor, row.subject, data)
            conn.execute(
                audit_events.update()
                .where(audit_events.c.seq == row.seq)
                .values(data=data, prev_hash=prev, hash=digest)
            )
            prev = digest
    assert any("head" in p or "removed" in p for p in _verify(runtime).problems)
