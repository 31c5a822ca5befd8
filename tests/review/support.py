"""Review fixtures built through the real paths: an ingested item, then a case opened for it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from beffroi.cli.common import OPERATOR
from beffroi.domain import Action, ActionKind
from beffroi.ingest.models import ItemIn
from beffroi.review import cases
from beffroi.runtime import Runtime
from beffroi.store import audit_log, items_store
from beffroi.store.schema import case_items
from beffroi.store.writer import Tx
from tests.support import item


def open_case(runtime: Runtime, text: str = "Bonjour", queue: str = "review", priority: int = 50) -> str:
    """Ingest an item and open a case for it, as a verdict's open_case action would."""
    [result] = runtime.ingestor.submit([ItemIn.model_validate(item(text))], OPERATOR).result()
    with runtime.db.read() as conn:
        stored = items_store.get_item(conn, result.id)
    assert stored is not None
    action = Action(ActionKind.OPEN_CASE, {"queue": queue, "priority": priority})
    request = cases.request_for(stored, action, "opened by a test")

    def write(tx: Tx) -> None:
        audit_log.append(tx, cases.open_or_join(tx, [request], "test", timedelta(hours=24)))

    runtime.db.writer.run(write)
    return case_of(runtime, result.id)


def case_of(runtime: Runtime, item_id: str) -> str:
    with runtime.db.read() as conn:
        query = sa.select(case_items.c.case_id).where(case_items.c.item_id == item_id)
        return str(conn.execute(query).scalar_one())


ANONYMOUS = {"Authorization": ""}  # overrides the test client's admin token: no account at all


def notice(item_id: str, reason: str = "threats", email: str | None = None, **extra: Any) -> dict[str, Any]:
    """A notice in the API's wire format, about an item given by its Beffroi id."""
    return {
        "item": {"id": item_id},
        "reason": reason,
        "explanation": "This post threatens the mayor.",
        "notifier": {"name": "Claire", "email": email} if email else {},
        "good_faith": True,
        **extra,
    }
