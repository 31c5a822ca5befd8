"""`beffroi classify` as a user runs it: JSON lines in, scores out, bad lines named and skipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from beffroi.analyzers.text.classifier import LABELS
from beffroi.cli import build_parser
from tests.processes import Beffroi

LINES = [
    {"id": "t1", "text": "jvais te buter ce soir, sale rat"},
    {"id": 2, "text": "La piscine municipale rouvre lundi."},
]


def test_classify_scores_each_line_and_names_the_bad_ones(tmp_path: Path) -> None:
    cli = Beffroi(tmp_path / "data", "")
    given = [orjson.dumps(LINES[0]).decode(), "{not json", '{"id": 9}', "", orjson.dumps(LINES[1]).decode()]
    done = cli.run("classify", stdin="\n".join(given) + "\n", check=False)
    assert done.returncode == 1  # some lines were refused
    assert "line 2: not valid JSON" in done.stderr
    assert 'line 3: expected an object with a string "text"' in done.stderr
    threat, pool = (orjson.loads(line) for line in done.stdout.splitlines())
    assert (threat["id"], pool["id"]) == ("t1", 2)
    assert set(threat["scores"]) == set(LABELS)
    assert "threat" in threat["flagged"] and pool["flagged"] == []
    text = LINES[0]["text"]
    assert threat["spans"] and all(text[s["start"] : s["end"]] == s["text"] for s in threat["spans"])


def test_classify_reads_a_file_and_writes_scores_only(tmp_path: Path) -> None:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in LINES))
    Beffroi(tmp_path / "data", "").run("classify", str(source), "--no-spans", "--output", str(target))
    answers = [orjson.loads(line) for line in target.read_bytes().splitlines()]
    assert [a["id"] for a in answers] == ["t1", 2]
    assert all(a["spans"] == [] for a in answers)
    assert "threat" in answers[0]["flagged"]


def test_classify_parses_without_loading_the_service() -> None:
    # A fresh interpreter: the import of the database and the service is what made `beffroi classify` start in
    # 1.3 s, and it needs neither.
    probe = (
        "import sys; from beffroi.cli import build_parser; "
        "args = build_parser('classify').parse_args(['classify', 'in.jsonl', '--no-spans']); "
        "print(args.handler.__name__, args.no_spans, "
        "sorted(m for m in ('beffroi.runtime', 'sqlalchemy', 'alembic', 'beffroi.store') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["run_classify", "True", "[]"]


def test_the_full_command_line_still_lists_every_command() -> None:
    commands = build_parser().format_help()
    for name in ("init", "serve", "worker", "space", "member", "token", "submit", "import", "classify", "rules"):
        assert name in commands
    with pytest.raises(SystemExit):  # a standalone command's parser knows nothing of the others
        build_parser("classify").parse_args(["init"])
