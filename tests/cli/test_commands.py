"""The `beffroi` command as an operator uses it, in real processes, against each database backend."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from beffroi.members import hash_token
from tests.processes import Beffroi, token_from_init


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Beffroi:
    return Beffroi(tmp_path / "data", database_url)


def test_init_creates_the_first_admin_once(cli: Beffroi) -> None:
    first = cli.run("init").stdout
    assert "First admin created" in first
    assert token_from_init(first).startswith("bft_")
    second = cli.run("init").stdout
    assert "no new admin created" in second


def test_token_create_prints_the_token_as_last_word(cli: Beffroi, database_url: str) -> None:
    cli.run("init")
    cli.run("space", "add", "mairie", "--name", "Mairie")
    cli.run("member", "add", "alice", "--role", "moderator", "--space", "mairie")
    out = cli.run("token", "create", "--member", "alice", "--role", "moderator", "--space", "mairie").stdout
    token = out.split()[-1]
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT role, space_id FROM api_tokens WHERE token_hash = :h"), {"h": hash_token(token)}
        ).one()
    engine.dispose()
    assert tuple(row) == ("moderator", "mairie")
    refused = cli.run("token", "create", "--member", "alice", "--role", "admin", check=False)
    assert refused.returncode == 2
    assert "alice is not admin" in refused.stderr


def test_import_stores_good_lines_and_names_bad_ones(cli: Beffroi, tmp_path: Path) -> None:
    cli.run("init")
    lines = [
        orjson.dumps(
            {
                "space": "default",
                "author": {"id": "a"},
                "source": {"platform": "x", "remote_id": str(i)},
                "text": f"post {i}",
            }
        ).decode()
        for i in range(2500)
    ]
    lines.insert(10, "{not json")
    lines.insert(
        20,
        orjson.dumps(
            {"space": "nowhere", "author": {"id": "a"}, "source": {"platform": "x", "remote_id": "n"}, "text": "t"}
        ).decode(),
    )
    source = tmp_path / "posts.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli.run("import", str(source), check=False)
    assert result.returncode == 1
    assert "imported: 2500 new, 0 already stored, 2 rejected" in result.stdout
    assert "line 11: rejected: not valid JSON" in result.stderr
    assert "line 21: rejected: item.space: unknown space 'nowhere'" in result.stderr
    again = cli.run("import", str(source), check=False)
    assert "imported: 0 new, 2500 already stored, 2 rejected" in again.stdout


def test_import_reads_csv(cli: Beffroi, tmp_path: Path) -> None:
    cli.run("init")
    source = tmp_path / "posts.csv"
    source.write_text('space,author_id,platform,remote_id,text\ndefault,a,csv,1,"Bonjour, ça va ?"\n', encoding="utf-8")
    assert "imported: 1 new" in cli.run("import", str(source)).stdout


def test_submit_prints_the_stored_item(cli: Beffroi) -> None:
    cli.run("init")
    shown = orjson.loads(cli.run("submit", "--text", "Bonjour", "--remote-id", "r1").stdout)
    assert shown["status"] == "pending" and shown["source"]["remote_id"] == "r1"


def test_audit_verify_fails_after_a_row_is_edited(cli: Beffroi, database_url: str) -> None:
    cli.run("init")
    cli.run("submit", "--text", "un message")
    assert "audit trail intact" in cli.run("audit", "verify").stdout
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_events SET data = replace(data, 'default', 'elsewhere') WHERE seq = 1"))
    engine.dispose()
    altered = cli.run("audit", "verify", check=False)
    assert altered.returncode == 1
    assert "event 1 (space.created, space:default) was altered" in altered.stderr


def test_errors_name_the_fix(cli: Beffroi) -> None:
    missing = cli.run("space", "list", check=False)
    assert missing.returncode == 2
    assert "hint: run: beffroi init" in missing.stderr


def test_space_approval_and_member_links(cli: Beffroi) -> None:
    cli.run("init")
    cli.run("space", "add", "groupe")
    assert "no approval required" in cli.run("space", "approval", "groupe").stdout
    set_out = cli.run(
        "space", "approval", "groupe", "--role", "moderator", "--in-name-of-space", "--approvals", "2"
    ).stdout
    assert set_out.strip() == (
        "groupe: posts in the space's name by role moderator wait for 2 admin approval(s) before publication"
    )
    stored = orjson.loads(cli.run("space", "settings", "groupe").stdout)
    assert stored["approval"] == {
        "roles": ["moderator"],
        "accounts": [],
        "in_name_of_space": True,
        "approvals_required": 2,
    }
    three = cli.run("space", "approval", "groupe", "--approvals", "3", check=False)
    assert three.returncode == 2 and "invalid choice: 3" in three.stderr
    assert "no approval required" in cli.run("space", "approval", "groupe", "--off").stdout

    cli.run("member", "add", "camille", "--role", "admin", "--space", "groupe")
    cli.run("member", "add", "dominique", "--role", "admin", "--space", "groupe")
    linked = cli.run("member", "link", "camille", "--platform", "facebook", "--account", "fb-1").stdout
    assert "camille will not approve its posts" in linked
    assert cli.run("member", "accounts", "camille").stdout.startswith("facebook\tfb-1\t")
    taken = cli.run("member", "link", "dominique", "--platform", "facebook", "--account", "fb-1", check=False)
    assert taken.returncode == 2
    assert "error: account facebook:fb-1 is linked to another member" in taken.stderr
    cli.run("member", "unlink", "camille", "--platform", "facebook", "--account", "fb-1")
    assert cli.run("member", "accounts", "camille").stdout == ""
