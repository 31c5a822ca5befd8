"""`beffroi rules check FILE`: the errors, or a one-line summary, and the exit status."""

from __future__ import annotations

from pathlib import Path

import pytest

from beffroi.cli import main
from beffroi.policy.loader import default_policy_text


def check(path: Path) -> int:
    with pytest.raises(SystemExit) as exited:
        main(["rules", "check", str(path)])
    return int(exited.value.code or 0)


def test_a_valid_policy_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "default.yaml"
    path.write_text(default_policy_text(), encoding="utf-8")
    assert check(path) == 0
    assert capsys.readouterr().out == f"{path}: ok: beffroi-default@1, 13 rules (1 in shadow mode)\n"


def test_a_broken_policy_prints_compiler_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "town.yaml"
    path.write_text(
        "name: t\nversion: 1\nrules:\n  - name: r\n    when: signals.threats > 0.8\n    then: [hold, ban]\n"
    )
    assert check(path) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"{path}:5:19: unknown label 'threats'"
    assert lines[3].startswith("  hint: did you mean 'threat'?")
    assert lines[4] == f"{path}:6:18: unknown action 'ban'"
    assert lines[-1] == f"{path}: 2 problems, policy not loaded"


def test_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(tmp_path / "nope.yaml") == 1
    assert "cannot read" in capsys.readouterr().err
