"""Spaces, members, their grants and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi import audit
from beffroi.domain import Grant, Member, Role, Space
from beffroi.errors import Conflict, NotFound
from beffroi.store import audit_log
from beffroi.store.schema import api_tokens, grants, members, spaces
from beffroi.store.writer import Tx


def create_space(tx: Tx, slug: str, name: str, actor: str) -> Space:
    if tx.conn.execute(sa.select(spaces.c.id).where(spaces.c.id == slug)).first():
        raise Conflict(f"space {slug!r} already exists")
    tx.conn.execute(spaces.insert().values(id=slug, name=name, created_at=tx.now))
    audit_log.append(tx, [audit.SpaceCreated(actor, slug, name)])
    return Space(slug, name, tx.now)


def space_exists(conn: Connection, space: str) -> bool:
    return conn.execute(sa.select(spaces.c.id).where(spaces.c.id == space)).first() is not None


def list_spaces(conn: Connection) -> list[Space]:
    return [Space(r.id, r.name, r.created_at) for r in conn.execute(sa.select(spaces).order_by(spaces.c.id))]


def create_member(tx: Tx, member_id: str, name: str, password_hash: str | None, actor: str) -> None:
    if tx.conn.execute(sa.select(members.c.id).where(members.c.name == name)).first():
        raise Conflict(f"a member is already named {name!r}", hint="choose another name")
    tx.conn.execute(
        members.insert().values(id=member_id, name=name, password_hash=password_hash, disabled=False, created_at=tx.now)
    )
    audit_log.append(tx, [audit.MemberCreated(actor, member_id, name)])


def add_grant(tx: Tx, member_id: str, grant: Grant, actor: str) -> None:
    _require_space(tx.conn, grant.space)
    existing = sa.select(grants.c.id).where(
        grants.c.member_id == member_id,
        grants.c.role == grant.role.value,
        _same_space(grants.c.space_id, grant.space),
    )
    if tx.conn.execute(existing).first():
        return  # granting what is held already changes nothing
    tx.conn.execute(grants.insert().values(member_id=member_id, role=grant.role.value, space_id=grant.space))
    audit_log.append(tx, [audit.GrantAdded(actor, member_id, grant.role.value, grant.space)])


def set_password(tx: Tx, member_id: str, password_hash: str, actor: str) -> None:
    tx.conn.execute(members.update().where(members.c.id == member_id).values(password_hash=password_hash))
    audit_log.append(tx, [audit.PasswordSet(actor, member_id)])


def _same_space(column: sa.ColumnElement[Any], space: str | None) -> sa.ColumnElement[bool]:
    return column.is_(None) if space is None else column == space


def _require_space(conn: Connection, space: str | None) -> None:
    if space is not None and not conn.execute(sa.select(spaces.c.id).where(spaces.c.id == space)).first():
        raise NotFound(f"no space {space!r}", hint=f"create it first: beffroi space add {space}")


def member_row(conn: Connection, *, name: str | None = None, member_id: str | None = None) -> sa.Row[Any] | None:
    condition = members.c.name == name if name is not None else members.c.id == member_id
    return conn.execute(sa.select(members).where(condition)).first()


def grants_of(conn: Connection, member_id: str) -> tuple[Grant, ...]:
    query = sa.select(grants.c.role, grants.c.space_id).where(grants.c.member_id == member_id).order_by(grants.c.id)
    return tuple(Grant(Role(r.role), r.space_id) for r in conn.execute(query))


def get_member(conn: Connection, member_id: str) -> Member:
    row = member_row(conn, member_id=member_id)
    if row is None:
        raise NotFound(f"no member {member_id!r}")
    return Member(row.id, row.name, grants_of(conn, row.id), row.disabled)


def list_members(conn: Connection) -> list[Member]:
    rows = conn.execute(sa.select(members).order_by(members.c.name)).all()
    return [Member(r.id, r.name, grants_of(conn, r.id), r.disabled) for r in rows]


def count_members(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(members)).scalar_one())


def create_token(
    tx: Tx,
    token_id: str,
    member_id: str,
    name: str,
    token_hash: str,
    grant: Grant | None,
    expires_at: datetime | None,
    actor: str,
) -> None:
    if grant is not None:
        _require_space(tx.conn, grant.space)
    tx.conn.execute(
        api_tokens.insert().values(
            id=token_id,
            member_id=member_id,
            name=name,
            token_hash=token_hash,
            role=grant.role.value if grant else None,
            space_id=grant.space if grant else None,
            created_at=tx.now,
            expires_at=expires_at,
        )
    )
    audit_log.append(
        tx,
        [
            audit.TokenCreated(
                actor,
                token_id,
                member_id,
                grant.role.value if grant else None,
                grant.space if grant else None,
            )
        ],
    )


def revoke_token(tx: Tx, token_id: str, actor: str) -> None:
    result = tx.conn.execute(
        api_tokens.update()
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=tx.now)
    )
    if result.rowcount == 0:
        raise NotFound(f"no active token {token_id!r}")
    audit_log.append(tx, [audit.TokenRevoked(actor, token_id)])


def token_owner(conn: Connection, token_id: str) -> str | None:
    return conn.execute(sa.select(api_tokens.c.member_id).where(api_tokens.c.id == token_id)).scalar()


def token_row(conn: Connection, token_hash: str) -> sa.Row[Any] | None:
    query = (
        sa.select(api_tokens, members.c.name.label("member_name"), members.c.disabled)
        .join(members, members.c.id == api_tokens.c.member_id)
        .where(api_tokens.c.token_hash == token_hash)
    )
    return conn.execute(query).first()
