"""Settings: one registry, read from the environment or a TOML file, every one documented."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from beffroi.cli import main
from beffroi.errors import ConfigError
from beffroi.runtime import Runtime
from beffroi.settings import Settings

DOCS = Path(__file__).parents[1] / "docs" / "settings.md"


def test_every_setting_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    documented = DOCS.read_text(encoding="utf-8")
    missing = [
        f"BEFFROI_{f.name.upper()}"
        for f in dataclasses.fields(Settings)
        if f"BEFFROI_{f.name.upper()}" not in documented
    ]
    assert missing == [], f"document these in docs/settings.md: {missing}"
    with pytest.raises(SystemExit):
        main(["settings", "--markdown"])
    assert capsys.readouterr().out == documented, "regenerate it: beffroi settings --markdown > docs/settings.md"


def test_environment_variables_are_parsed_by_type() -> None:
    settings = Settings.load({"BEFFROI_PORT": "9000", "BEFFROI_HOLD_THRESHOLD": "0.9", "BEFFROI_HOST": "0.0.0.0"})
    assert (settings.port, settings.hold_threshold, settings.host) == (9000, 0.9, "0.0.0.0")


@pytest.mark.parametrize(
    ("raw", "expected"), [("false", False), ("0", False), ("Off", False), ("true", True), ("1", True)]
)
def test_switches_read_words_not_python_truthiness(raw: str, expected: bool) -> None:
    assert Settings.load({"BEFFROI_TEXT_MODEL_EXPLAIN": raw}).text_model_explain is expected


def test_a_switch_in_the_config_file_is_a_toml_boolean(tmp_path: Path) -> None:
    config = tmp_path / "beffroi.toml"
    config.write_text("text_model_explain = false\n", encoding="utf-8")
    assert Settings.load({"BEFFROI_CONFIG": str(config)}).text_model_explain is False
    with pytest.raises(ConfigError, match="BEFFROI_TEXT_MODEL_EXPLAIN='maybe' is not a valid bool"):
        Settings.load({"BEFFROI_TEXT_MODEL_EXPLAIN": "maybe"})


def test_a_bad_value_says_which_setting_and_what_it_is() -> None:
    with pytest.raises(ConfigError) as error:
        Settings.load({"BEFFROI_PORT": "eighty"})
    assert "BEFFROI_PORT='eighty' is not a valid int" in error.value.message


def test_config_file_then_environment(tmp_path: Path) -> None:
    config = tmp_path / "beffroi.toml"
    config.write_text("port = 8100\nworkers = 3\n", encoding="utf-8")
    settings = Settings.load({"BEFFROI_CONFIG": str(config), "BEFFROI_WORKERS": "2"})
    assert (settings.port, settings.workers) == (8100, 2)


def test_an_unknown_key_in_the_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "beffroi.toml"
    config.write_text("prot = 8100\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'prot'"):
        Settings.load({"BEFFROI_CONFIG": str(config)})


def test_secrets_never_print() -> None:
    rows = Settings(database_url="postgresql+psycopg://u:hunter2@db/b").describe()
    assert "hunter2" not in repr(rows)
    assert next(r[:2] for r in rows if r[0] == "BEFFROI_DATABASE_URL") == ("BEFFROI_DATABASE_URL", "********")


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    assert Settings(data_dir=str(tmp_path)).database == f"sqlite:///{tmp_path.resolve() / 'beffroi.db'}"


def test_a_queue_may_have_its_own_sla(tmp_path: Path) -> None:
    settings = Settings.load(
        {"BEFFROI_REVIEW_SLA_BY_QUEUE": "threats=4, notices = 0.5", "BEFFROI_REVIEW_SLA_HOURS": "24"}
    )
    assert settings.review_sla_for("threats") == timedelta(hours=4)
    assert settings.review_sla_for("notices") == timedelta(minutes=30)
    assert settings.review_sla_for("hate") == timedelta(hours=24)
    for wrong in ("threats", "threats=soon", "=4", "threats=0"):
        with pytest.raises(ConfigError, match="BEFFROI_REVIEW_SLA_BY_QUEUE"):
            Runtime(Settings(data_dir=str(tmp_path), review_sla_by_queue=f"hate=2,{wrong}"))
    with pytest.raises(ConfigError, match="BEFFROI_NOTICE_RATE_LIMIT=0"):
        Runtime(Settings(data_dir=str(tmp_path), notice_rate_limit=0))


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"worker_nice": 20}, "BEFFROI_WORKER_NICE=20"),
        ({"worker_nice": -1}, "BEFFROI_WORKER_NICE=-1"),
        ({"ingest_processes": -1}, "BEFFROI_INGEST_PROCESSES=-1"),
    ],
)
def test_process_settings_out_of_range_stop_start_up(tmp_path: Path, values: dict[str, int], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Runtime(Settings(data_dir=str(tmp_path), **values))  # type: ignore[arg-type]
