"""Stored policy versions, without I/O: what a version is called, its digest, the name its verdicts carry.

A version belongs to one space, or to the installation default (space None, `_default` in URLs and on the
command line). Verdicts name the version that decided: `space:town-hall@v3`, `default@v2`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from beffroi.domain import PolicyActivation
from beffroi.policy.engine import RulesPolicy

# Space ids are slugs that start with a letter or digit, so this can never name a real space.
DEFAULT_SCOPE = "_default"


def space_of(scope: str) -> str | None:
    """The space a path segment or `--space` names: None for the installation default."""
    return None if scope == DEFAULT_SCOPE else scope


def scope_of(space: str | None) -> str:
    return DEFAULT_SCOPE if space is None else space


def version_label(space: str | None, version: int) -> str:
    """How verdicts name a stored version: `space:town-hall@v3`, or `default@v2` for the installation's."""
    return f"default@v{version}" if space is None else f"space:{space}@v{version}"


def unsaved_label(space: str | None) -> str:
    """How a backtest names a candidate that is not stored."""
    return "default@unsaved" if space is None else f"space:{space}@unsaved"


def source_digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def named(policy: RulesPolicy, label: str) -> RulesPolicy:
    """The same compiled rules under the name its verdicts carry (no recompiling: rules are immutable)."""
    return RulesPolicy(label, policy.rules, policy.known_labels)


def deciding(in_force: Mapping[str | None, PolicyActivation], space: str | None) -> PolicyActivation | None:
    """The resolution order: the space's active version, else the installation default's (else, None: the file)."""
    own = in_force.get(space)
    return own if own is not None else in_force.get(None)
