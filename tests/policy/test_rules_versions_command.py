"""`beffroi rules push | list | activate | backtest` on a real database, as an operator runs them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from beffroi.cli import main
from beffroi.cli.common import OPERATOR
from beffroi.ingest.models import ItemIn
from beffroi.policy.loader import default_policy_text
from beffroi.runtime import Runtime
from beffroi.store.schema import audit_events, policy_versions
from tests.support import HOLD_MARKET, count, item, rules

Run = Callable[..., tuple[int, str, str]]
BIKE_HOLD = "  - {name: bike-hold, when: 'item.text.contains(\"vélo\")', then: [hold]}\n"


@pytest.fixture
def beffroi(runtime: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Runs the command in this process against the test's database; gives (exit status, stdout, stderr)."""
    monkeypatch.setenv("BEFFROI_DATABASE_URL", runtime.settings.database)
    monkeypatch.setenv("BEFFROI_DATA_DIR", runtime.settings.data_dir)
    capsys.readouterr()

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exited:
            main(list(args))
        out = capsys.readouterr()
        return int(exited.value.code or 0), out.out, out.err

    return run


def test_push_list_activate_and_roll_back(beffroi: Run, runtime: Runtime, tmp_path: Path) -> None:
    first, second = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    first.write_text(rules(HOLD_MARKET), encoding="utf-8")
    second.write_text(rules(HOLD_MARKET.replace("[hold]", "[hide]")), encoding="utf-8")
    status, out, _ = beffroi("rules", "push", str(first), "--space", "default")
    assert status == 0
    assert out.startswith("stored space:default@v1 (town@1, sha256 ")
    assert out.endswith("not active: beffroi rules activate 1 --space default\n")
    status, out, _ = beffroi("rules", "push", str(second), "--space", "default", "--activate", "--note", "hide")
    assert (status, out.endswith(": active\n")) == (0, True)
    status, out, err = beffroi("rules", "list", "--space", "default")
    lines = [line.split("\t") for line in out.splitlines()]
    assert [(f[0], f[1].strip(), f[3], f[6]) for f in lines] == [
        ("v2", "active", "operator", "hide"),
        ("v1", "", "operator", ""),
    ]
    assert err == "in force: space:default@v2 (its own version)\n"
    assert beffroi("rules", "activate", "1", "--space", "default")[1] == "space:default@v1 is now in force\n"
    assert beffroi("rules", "activate", "1", "--space", "default")[1].endswith(
        "was in force already: nothing changed\n"
    )
    assert runtime.policy_versions.active("default").version == 1  # type: ignore[union-attr]
    with runtime.db.read() as conn:
        kinds = [row.type for row in conn.execute(audit_events.select().order_by(audit_events.c.seq))]
    assert kinds[-4:] == ["policy.version_created", "policy.version_created", "policy.activated", "policy.activated"]


def test_an_invalid_file_prints_the_errors_of_rules_check_and_stores_nothing(
    beffroi: Run, runtime: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "town.yaml"
    path.write_text("name: t\nversion: 1\nrules:\n  - name: r\n    when: signals.threats > 0.8\n    then: [hold]\n")
    status, _, err = beffroi("rules", "push", str(path), "--space", "default", "--activate")
    assert status == 1
    _, _, checked = beffroi("rules", "check", str(path))
    assert err.splitlines()[:-1] == checked.splitlines()[:-1]  # the same problems, line for line
    assert err.splitlines()[0] == f"{path}:5:19: unknown label 'threats'"
    assert err.splitlines()[-1] == f"{path}: 1 problem, nothing stored"
    assert count(runtime, policy_versions) == 0
    status, _, err = beffroi("rules", "backtest", str(path), "--space", "default")
    assert (status, err.splitlines()[-1]) == (1, f"{path}: 1 problem, no backtest")


def test_backtest_prints_what_would_change(beffroi: Run, runtime: Runtime, tmp_path: Path) -> None:
    texts = ["Mon vélo est rouge", "Bonjour à tous", "Un vélo tout neuf"]
    stored = runtime.ingestor.submit([ItemIn.model_validate(item(t)) for t in texts], OPERATOR).result()
    worker = runtime.worker("test")
    while worker.run_once():
        pass
    worker.close()
    path = tmp_path / "candidate.yaml"
    path.write_text(default_policy_text() + BIKE_HOLD, encoding="utf-8")
    status, out, _ = beffroi("rules", "backtest", str(path), "--space", "default", "--limit", "10")
    assert status == 0, out
    lines = out.splitlines()
    assert lines[0] == "backtest of space:default@unsaved against the verdicts stored in default"
    assert lines[1:4] == ["  items evaluated:  3", "  items that change: 2", "  dispositions:     allow->hold 2"]
    assert any(line.split() == ["bike-hold", "2"] for line in lines)
    assert any(line.split() == ["toxicity-hide-trial", "0", "(shadow)"] for line in lines)
    changed = {line.split()[0] for line in lines if "allow -> hold" in line}
    assert changed == {stored[0].id, stored[2].id}
    assert beffroi("rules", "backtest", str(path), "--space", "default", "--limit", "1")[1].splitlines()[1] == (
        "  items evaluated:  1 (the newest 1: older items left out)"
    )


def test_an_unknown_space_or_version_says_so(beffroi: Run, tmp_path: Path) -> None:
    path = tmp_path / "town.yaml"
    path.write_text(rules(HOLD_MARKET), encoding="utf-8")
    status, _, err = beffroi("rules", "push", str(path), "--space", "nowhere")
    assert (status, err.splitlines()[0]) == (2, "error: no space 'nowhere'")
    status, _, err = beffroi("rules", "activate", "3", "--space", "_default")
    assert status == 2 and "no version 3 of the installation's default policy" in err
    assert beffroi("rules", "push", str(path), "--space", "_default", "--activate")[1].startswith("stored default@v1")
