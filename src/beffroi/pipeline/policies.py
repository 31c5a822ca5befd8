"""Which policy decides an item: its space's active version, else the installation default's active version,
else BEFFROI_POLICY_FILE or the shipped default policy.

Versions are activated through the API or the command line, in other processes than the workers. A worker asks,
once per batch, for the activation generation (one MAX over a primary key) and reloads what is in force only
when it moved, so a new activation applies from the next batch, without a restart. Compiled policies are cached
by the SHA-256 of their source: a rollback, or one text shared by several spaces, compiles once.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from beffroi.domain import PolicyActivation
from beffroi.errors import BeffroiError
from beffroi.policy.base import Policy
from beffroi.policy.engine import RulesPolicy
from beffroi.policy.loader import load_policy
from beffroi.policy.problems import PolicyError
from beffroi.policy.versioning import deciding, named, version_label
from beffroi.store import policy_store
from beffroi.store.database import Database

log = logging.getLogger(__name__)


class PolicyUnavailable(BeffroiError):
    """A stored version that does not load here (an analyzer it reads was uninstalled): its items fail visibly."""

    status = 503
    code = "policy_unavailable"


class SpacePolicies:
    """One per worker (not shared between threads): the policies in force, refreshed once per batch."""

    def __init__(self, db: Database, known_labels: Collection[str], fallback: Policy):
        self.db = db
        self.known_labels = frozenset(known_labels)
        self.fallback = fallback
        self._generation: int | None = None
        self._in_force: dict[str | None, PolicyActivation] = {}
        self._by_digest: dict[str, RulesPolicy | PolicyError] = {}
        self._by_label: dict[str, RulesPolicy] = {}

    def refresh(self) -> None:
        with self.db.read() as conn:
            generation = policy_store.generation(conn)
            if generation == self._generation:
                return
            self._in_force = policy_store.in_force(conn)
        if self._generation is not None:
            log.info("policy activations changed (generation %d -> %d): reloaded", self._generation, generation)
        self._generation = generation

    def for_space(self, space: str) -> Policy:
        activation = deciding(self._in_force, space)
        return self.fallback if activation is None else self._stored(activation)

    def _stored(self, activation: PolicyActivation) -> RulesPolicy:
        label = version_label(activation.space, activation.version)
        if label not in self._by_label:
            compiled = self._compiled(activation.digest, label)
            if isinstance(compiled, PolicyError):
                raise PolicyUnavailable(
                    f"policy {label} does not load on this worker: {compiled.message}",
                    hint="activate another version, or install the analyzers its rules read",
                )
            self._by_label[label] = named(compiled, label)
        return self._by_label[label]

    def _compiled(self, digest: str, label: str) -> RulesPolicy | PolicyError:
        if digest not in self._by_digest:
            with self.db.read() as conn:
                source = policy_store.source_of(conn, digest) or ""
            try:
                self._by_digest[digest] = load_policy(source, label, self.known_labels)
            except PolicyError as exc:
                log.error("policy %s does not load:\n%s", label, exc.render())
                self._by_digest[digest] = exc
        return self._by_digest[digest]
