"""Members' credentials: argon2 password hashes, random API tokens stored as SHA-256, and who a token is."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from beffroi import audit
from beffroi.access import Principal
from beffroi.domain import Grant, Role
from beffroi.errors import Forbidden, Unauthorized
from beffroi.ids import new_id
from beffroi.store import audit_log, members_store
from beffroi.store.database import Database
from beffroi.store.writer import Tx

TOKEN_PREFIX = "bft_"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


class Credentials:
    def __init__(self, db: Database, cache_seconds: float):
        self.db = db
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def create_member(self, name: str, grants: list[Grant], password: str | None, actor: str) -> str:
        member_id = new_id("mbr")
        password_hash = hash_password(password) if password else None

        def write(tx: Tx) -> None:
            members_store.create_member(tx, member_id, name, password_hash, actor)
            for grant in grants:
                members_store.add_grant(tx, member_id, grant, actor)

        self.db.writer.run(write)
        return member_id

    def create_token(
        self, member_id: str, name: str, grant: Grant | None, actor: str, ttl: timedelta | None = None
    ) -> tuple[str, str]:
        """Returns (token id, the token itself). The token is shown once; only its hash is stored."""
        if grant is not None:
            self._require_covered(member_id, grant)
        token_id, token = new_id("tok"), TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + ttl if ttl else None
        self.db.writer.run(
            lambda tx: members_store.create_token(
                tx, token_id, member_id, name, hash_token(token), grant, expires, actor
            )
        )
        return token_id, token

    def _require_covered(self, member_id: str, grant: Grant) -> None:
        with self.db.read() as conn:
            member = members_store.get_member(conn, member_id)
        if not Principal(member.id, member.name, member.grants).covers((grant,)):
            raise Forbidden(
                f"{member.name} is not {grant.role.value} in {grant.space or 'every space'}",
                hint="a token never has more rights than its member: grant the role first (beffroi member grant)",
            )

    def revoke(self, token_id: str, actor: str) -> None:
        self.db.writer.run(lambda tx: members_store.revoke_token(tx, token_id, actor))
        with self._lock:
            self._cache.clear()

    def login(self, name: str, password: str) -> str:
        """The member's id when the password is right; the same error whether the name or the password is wrong."""
        with self.db.read() as conn:
            row = members_store.member_row(conn, name=name)
        if row is not None and row.password_hash and not row.disabled and _verify(row.password_hash, password):
            return str(row.id)
        self.db.writer.run(lambda tx: audit_log.append(tx, [audit.LoginFailed("anonymous", name)]))
        raise Unauthorized("wrong name or password")

    def cached(self, token: str) -> Principal | None:
        with self._lock:
            entry = self._cache.get(hash_token(token))
        if entry and time.monotonic() - entry[0] < self.cache_seconds:
            return entry[1]
        return None

    def principal(self, token: str) -> Principal:
        cached = self.cached(token)
        if cached is not None:
            return cached
        digest = hash_token(token)
        principal = self._resolve(digest)
        with self._lock:
            self._cache[digest] = (time.monotonic(), principal)
        return principal

    def _resolve(self, digest: str) -> Principal:
        with self.db.read() as conn:
            row = members_store.token_row(conn, digest)
            if row is None or row.revoked_at is not None or row.disabled or _expired(row.expires_at):
                raise Unauthorized(
                    "the API token is unknown, revoked or expired",
                    hint="create one with: beffroi token create --member NAME --role ROLE",
                )
            held = members_store.grants_of(conn, row.member_id)
        grants = held if row.role is None else _narrowed(held, Grant(Role(row.role), row.space_id))
        return Principal(row.member_id, row.member_name, grants, row.id)


def _narrowed(held: tuple[Grant, ...], wanted: Grant) -> tuple[Grant, ...]:
    # A token never exceeds its member: it keeps its grant only while the member still covers it.
    probe = Principal("", "", held)
    return (wanted,) if probe.covers((wanted,)) else ()


def _expired(expires_at: datetime | None) -> bool:
    if expires_at is None:
        return False
    aware = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=UTC)
    return aware <= datetime.now(UTC)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
