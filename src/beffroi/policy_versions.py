"""Policy versions per space, as the API and the command line manage them: create (checked first: an invalid
policy is never stored, let alone activated), activate (also how one rolls back), read what is in force, and
backtest a candidate over stored items. Who may do what is the caller's business (web/routes/policies.py)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from beffroi.domain import PolicyActivation, PolicyVersion
from beffroi.errors import NotFound
from beffroi.policy.approval import ApprovalRequired
from beffroi.policy.backtest import BacktestReport, compare
from beffroi.policy.base import Policy
from beffroi.policy.engine import RulesPolicy
from beffroi.policy.loader import load_policy
from beffroi.policy.problems import PolicyError
from beffroi.policy.rules import Rule
from beffroi.policy.versioning import deciding, named, source_digest, version_label
from beffroi.store import history, members_store, policy_store, spaces_store
from beffroi.store.database import Database
from beffroi.store.writer import Tx

# Where a space's policy comes from: its own active version, the installation default's, or the policy file.
Origin = Literal["space", "default", "file"]


@dataclass(frozen=True)
class InForce:
    """The policy that decides a space's items now, and where it comes from."""

    space: str | None
    origin: Origin
    policy: str  # the name its verdicts carry: space:town-hall@v3, default@v2, or the file's NAME@VERSION
    source: str | None  # None only for the threshold policy, which has no rules
    activation: PolicyActivation | None = None  # None when it comes from the file

    @property
    def inherited(self) -> bool:
        return self.origin != ("default" if self.space is None else "space")


class PolicyVersions:
    def __init__(self, db: Database, known_labels: Collection[str], fallback: Policy, fallback_source: str | None):
        self.db = db
        self.known_labels = frozenset(known_labels)
        self.fallback = fallback
        self.fallback_source = fallback_source

    def compile(self, source: str, source_name: str, label: str) -> RulesPolicy:
        """Raises PolicyError with every problem, as `beffroi rules check` reports them."""
        return named(load_policy(source, source_name, self.known_labels), label)

    def create(
        self, space: str | None, source: str, note: str, actor: str, *, activate: bool, source_name: str = "source"
    ) -> PolicyVersion:
        self.require_space(space)
        checked = load_policy(source, source_name, self.known_labels)  # before any write: nothing stored if invalid

        def write(tx: Tx) -> int:
            number = policy_store.create_version(tx, space, checked.name, source, source_digest(source), note, actor)
            if activate:
                policy_store.activate(tx, space, number, actor)
            return number

        return self.version(space, self.db.writer.run(write))

    def activate(self, space: str | None, number: int, actor: str) -> bool:
        """False when that version was in force already: nothing changes, nothing is recorded."""
        self.require_space(space)
        return self.db.writer.run(lambda tx: policy_store.activate(tx, space, number, actor))

    def versions(self, space: str | None) -> list[PolicyVersion]:
        with self.db.read() as conn:
            return policy_store.list_versions(conn, space)

    def version(self, space: str | None, number: int) -> PolicyVersion:
        with self.db.read() as conn:
            found = policy_store.get_version(conn, space, number)
        if found is None:
            raise policy_store.missing_version(space, number)
        return found

    def active(self, space: str | None) -> PolicyActivation | None:
        """The space's own active version, not an inherited one."""
        with self.db.read() as conn:
            return policy_store.active(conn, space)

    def in_force(self, space: str | None) -> InForce:
        with self.db.read() as conn:
            activation = deciding(policy_store.in_force(conn), space)
        if activation is None:
            return InForce(space, "file", self.fallback.name, self.fallback_source)
        stored = self.version(activation.space, activation.version)
        label = version_label(activation.space, activation.version)
        origin: Origin = "default" if activation.space is None else "space"
        return InForce(space, origin, label, stored.source, activation)

    def rules_of(self, source: str | None) -> tuple[Rule, ...]:
        if source is None:
            return ()
        try:
            return load_policy(source, "source", self.known_labels).rules
        except PolicyError:  # stored, then an analyzer it reads was uninstalled: its source still shows
            return ()

    def inheriting_spaces(self) -> list[str]:
        """Spaces with no active version of their own: those the installation default decides for."""
        with self.db.read() as conn:
            own = policy_store.in_force(conn)
            return [s.id for s in members_store.list_spaces(conn) if s.id not in own]

    def backtest(self, candidate: Policy, window: history.Window, sample: int) -> BacktestReport:
        """The candidate over stored items and their stored signals, against the verdict each item got. As the
        workers would apply it: under each space's approval requirement, so a rule the requirement makes moot
        shows no change."""
        with self.db.read() as conn:
            requirements = {
                space: found.approval for space, found in spaces_store.settings_of(conn, window.spaces).items()
            }
            return compare(
                ApprovalRequired(candidate, requirements), history.decided_items(conn, window), sample=sample
            )

    def require_space(self, space: str | None) -> None:
        if space is None:
            return
        with self.db.read() as conn:
            if not members_store.space_exists(conn, space):
                raise NotFound(f"no space {space!r}", hint=f"create it first: beffroi space add {space}")
