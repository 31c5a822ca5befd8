"""What every command shares: settings, the runtime, and the principal the command line acts as."""

from __future__ import annotations

from beffroi.access import Principal
from beffroi.domain import Grant, Role
from beffroi.errors import NotFound
from beffroi.runtime import Runtime
from beffroi.settings import Settings
from beffroi.store import members_store

# Whoever runs the command line can already read the database files: they act as an installation admin.
OPERATOR = Principal("operator", "operator", (Grant(Role.ADMIN, None),))
OPERATOR_ACTOR = "operator"


def open_runtime(*, migrated: bool = True) -> Runtime:
    runtime = Runtime(Settings.load())
    if migrated:
        runtime.require_migrated()
    return runtime


def member_id_of(runtime: Runtime, name: str) -> str:
    with runtime.db.read() as conn:
        row = members_store.member_row(conn, name=name)
    if row is None:
        raise NotFound(f"no member named {name!r}", hint=f"create it: beffroi member add {name} --role ROLE")
    return str(row.id)
