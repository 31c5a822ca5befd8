"""BEFFROI_POLICY_FILE picks the policy the workers apply: the shipped default, a file, or the thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from beffroi.analyzers.registry import AnalyzerRegistry
from beffroi.errors import ConfigError
from beffroi.policy.engine import RulesPolicy
from beffroi.policy.thresholds import ThresholdPolicy
from beffroi.runtime import build_policy
from beffroi.settings import Settings

REGISTRY = AnalyzerRegistry.discover()


def test_the_shipped_default_policy_by_default() -> None:
    policy = build_policy(Settings.load({}), REGISTRY)
    assert isinstance(policy, RulesPolicy)
    assert policy.name == "beffroi-default@1"
    assert {"threat", "language.fr"} <= set(policy.known_labels)


def test_the_threshold_policy_on_request() -> None:
    policy = build_policy(Settings.load({"BEFFROI_POLICY_FILE": "thresholds"}), REGISTRY)
    assert isinstance(policy, ThresholdPolicy)


def test_a_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "town.yaml"
    path.write_text("name: town\nversion: 2\nrules:\n  - {name: r, when: signals.threat > 0.5, then: [hold]}\n")
    assert build_policy(Settings.load({"BEFFROI_POLICY_FILE": str(path)}), REGISTRY).name == "town@2"


def test_a_broken_policy_file_stops_start_up_with_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "town.yaml"
    path.write_text("name: town\nversion: 2\nrules:\n  - {name: r, when: signals.threats > 0.5, then: [hold]}\n")
    with pytest.raises(ConfigError) as raised:
        build_policy(Settings.load({"BEFFROI_POLICY_FILE": str(path)}), REGISTRY)
    assert f"{path}:4:29: unknown label 'threats'" in raised.value.message
    assert raised.value.hint == f"run: beffroi rules check {path}"
