"""Members' accounts on the platforms: the link that tells an approver from the author of an item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beffroi import audit
from beffroi.errors import Conflict, NotFound
from beffroi.store import audit_log
from beffroi.store.schema import member_accounts
from beffroi.store.writer import Tx


@dataclass(frozen=True)
class LinkedAccount:
    member_id: str
    platform: str
    account_id: str
    linked_at: datetime


def accounts_of(conn: Connection, member_id: str) -> list[LinkedAccount]:
    query = (
        sa.select(member_accounts)
        .where(member_accounts.c.member_id == member_id)
        .order_by(member_accounts.c.platform, member_accounts.c.account_id)
    )
    return [_linked(row) for row in conn.execute(query)]


def owner_of(conn: Connection, platform: str, account_id: str) -> str | None:
    """The member linked to this account, if any."""
    query = sa.select(member_accounts.c.member_id).where(
        member_accounts.c.platform == platform, member_accounts.c.account_id == account_id
    )
    return conn.execute(query).scalar()


def link(tx: Tx, member_id: str, platform: str, account_id: str, actor: str) -> LinkedAccount:
    owner = owner_of(tx.conn, platform, account_id)
    if owner == member_id:
        raise Conflict(f"account {platform}:{account_id} is linked to this member already")
    if owner is not None:
        raise Conflict(
            f"account {platform}:{account_id} is linked to another member",
            hint="an account belongs to one member at most; a member manager can unlink it first",
        )
    tx.conn.execute(
        member_accounts.insert().values(
            member_id=member_id, platform=platform, account_id=account_id, created_at=tx.now
        )
    )
    audit_log.append(tx, [audit.AccountLinked(actor, member_id, platform, account_id)])
    return LinkedAccount(member_id, platform, account_id, tx.now)


def unlink(tx: Tx, member_id: str, platform: str, account_id: str, actor: str) -> None:
    removed = tx.conn.execute(
        member_accounts.delete().where(
            member_accounts.c.member_id == member_id,
            member_accounts.c.platform == platform,
            member_accounts.c.account_id == account_id,
        )
    )
    if removed.rowcount == 0:
        raise NotFound(f"account {platform}:{account_id} is not linked to this member")
    audit_log.append(tx, [audit.AccountUnlinked(actor, member_id, platform, account_id)])


def _linked(row: sa.Row[Any]) -> LinkedAccount:
    at = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)  # SQLite drops the zone
    return LinkedAccount(row.member_id, row.platform, row.account_id, at)
