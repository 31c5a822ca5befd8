"""Policy versions and their activations: stored once, never edited; space None is the installation default."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi import audit
from beffroi.domain import PolicyActivation, PolicyVersion
from beffroi.errors import NotFound
from beffroi.policy.versioning import scope_of
from beffroi.store import audit_log
from beffroi.store.schema import policy_activations, policy_versions
from beffroi.store.sql import aware
from beffroi.store.writer import Tx

_recent = policy_activations.alias("recent")  # its own name, so a subquery over it never correlates


def create_version(tx: Tx, space: str | None, name: str, source: str, digest: str, note: str, actor: str) -> int:
    """Stores the next version of the space's policy; returns its number."""
    _lock(tx)
    latest = sa.select(sa.func.max(policy_versions.c.version)).where(_in_space(policy_versions.c.space_id, space))
    number = int(tx.conn.execute(latest).scalar() or 0) + 1
    tx.conn.execute(
        policy_versions.insert().values(
            space_id=space,
            version=number,
            name=name,
            source=source,
            digest=digest,
            note=note,
            created_by=actor,
            created_at=tx.now,
        )
    )
    audit_log.append(tx, [audit.PolicyVersionCreated(actor, space, number, digest, note)])
    return number


def activate(tx: Tx, space: str | None, number: int, actor: str) -> bool:
    """Puts a stored version in force; False when it already was (nothing recorded)."""
    _lock(tx)
    row = tx.conn.execute(_version_query(space, number)).first()
    if row is None:
        raise missing_version(space, number)
    current = active(tx.conn, space)
    if current is not None and current.version == number:
        return False
    tx.conn.execute(
        policy_activations.insert().values(space_id=space, version_id=row.id, activated_by=actor, activated_at=tx.now)
    )
    previous = current.version if current else None
    audit_log.append(tx, [audit.PolicyActivated(actor, space, number, row.digest, previous)])
    return True


def get_version(conn: Connection, space: str | None, number: int) -> PolicyVersion | None:
    row = conn.execute(_version_query(space, number)).first()
    return _version(row) if row else None


def list_versions(conn: Connection, space: str | None) -> list[PolicyVersion]:
    query = (
        sa.select(policy_versions)
        .where(_in_space(policy_versions.c.space_id, space))
        .order_by(policy_versions.c.version.desc())
    )
    return [_version(row) for row in conn.execute(query)]


def active(conn: Connection, space: str | None) -> PolicyActivation | None:
    query = _activations().where(_in_space(policy_activations.c.space_id, space))
    row = conn.execute(query.order_by(policy_activations.c.id.desc()).limit(1)).first()
    return _activation(row) if row else None


def in_force(conn: Connection) -> dict[str | None, PolicyActivation]:
    """The active version of every space that has one (None: the installation default), in one query."""
    newest = sa.select(sa.func.max(_recent.c.id)).group_by(_recent.c.space_id).scalar_subquery()
    rows = conn.execute(_activations().where(policy_activations.c.id.in_(newest)))
    return {row.space_id: _activation(row) for row in rows}


def generation(conn: Connection) -> int:
    """Grows with every activation: one cheap query tells a running worker whether to reload."""
    return int(conn.execute(sa.select(sa.func.max(policy_activations.c.id))).scalar() or 0)


def source_of(conn: Connection, digest: str) -> str | None:
    query = sa.select(policy_versions.c.source).where(policy_versions.c.digest == digest).limit(1)
    found = conn.execute(query).scalar()
    return None if found is None else str(found)


def _activations() -> sa.Select[Any]:
    return sa.select(policy_activations, policy_versions.c.version, policy_versions.c.digest).join(
        policy_versions, policy_versions.c.id == policy_activations.c.version_id
    )


def _activation(row: sa.Row[Any]) -> PolicyActivation:
    return PolicyActivation(row.space_id, row.version, row.digest, row.activated_by, aware(row.activated_at))


def _lock(tx: Tx) -> None:
    # Policy changes from every API process and CLI wait for each other (the audit chain's lock), so version
    # numbers never collide and activation ids commit in the order they are given: a worker that has seen
    # generation N has seen every activation up to N.
    audit_log.lock(tx)


def _version_query(space: str | None, number: int) -> sa.Select[Any]:
    return sa.select(policy_versions).where(
        _in_space(policy_versions.c.space_id, space), policy_versions.c.version == number
    )


def _in_space(column: sa.ColumnElement[Any], space: str | None) -> sa.ColumnElement[bool]:
    return column.is_(None) if space is None else column == space


def _version(row: sa.Row[Any]) -> PolicyVersion:
    return PolicyVersion(
        row.space_id, row.version, row.name, row.digest, row.source, row.note, row.created_by, aware(row.created_at)
    )


def missing_version(space: str | None, number: int) -> NotFound:
    what = "the installation's default policy" if space is None else f"the policy of space {space!r}"
    scope = scope_of(space)
    hint = f"list them: GET /v1/spaces/{scope}/policy/versions, or beffroi rules list --space {scope}"
    return NotFound(f"no version {number} of {what}", hint=hint)
