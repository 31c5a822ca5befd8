"""Policy grounds: a configurable list mapped to DSA categories, checked at load, public to read."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from beffroi.errors import ConfigError, InvalidRequest
from beffroi.review.grounds import DSA_CATEGORIES, build_grounds, default_grounds
from tests.review.decision_support import NO_TOKEN

DOCS = Path(__file__).parents[2] / "docs" / "review.md"
CUSTOM = """\
grounds:
  - key: insults_to_staff
    label: {fr: Insulte envers un agent, en: Insulting a staff member}
    illegal: false
    terms_reference: "Charte de la page, art. 3"
    category: STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH
"""


def test_the_grounds_are_public_with_both_labels_and_a_dsa_category(client: TestClient) -> None:
    listed = client.get("/v1/grounds", headers=NO_TOKEN).json()
    threats = next(g for g in listed if g["key"] == "threats")
    assert threats["label"] == {"fr": "Menaces", "en": "Threats"}
    assert threats["illegal"] is True and "art. 222-17" in threats["legal_reference"]
    assert threats["category"] == "STATEMENT_CATEGORY_VIOLENCE"
    assert {g["category"] for g in listed} <= DSA_CATEGORIES
    assert any(not g["illegal"] and g["terms_reference"] for g in listed)


def test_every_shipped_ground_rests_on_one_basis() -> None:
    for ground in default_grounds():
        assert ground.label_fr and ground.label_en
        assert bool(ground.legal_reference) == ground.illegal
        assert bool(ground.terms_reference) != ground.illegal


def test_the_review_docs_list_every_shipped_ground() -> None:
    documented = DOCS.read_text(encoding="utf-8")
    missing = [g.key for g in default_grounds() if f"| `{g.key}` |" not in documented]
    assert missing == [], f"add them to the table of shipped grounds in docs/review.md: {missing}"


def test_a_grounds_file_replaces_the_shipped_list(tmp_path: Path) -> None:
    path = tmp_path / "grounds.yaml"
    path.write_text(CUSTOM, encoding="utf-8")
    grounds = build_grounds(str(path))
    assert grounds.keys() == ["insults_to_staff"]
    with pytest.raises(InvalidRequest, match="unknown ground 'threats'"):
        grounds.require("threats")


def test_a_bad_grounds_file_stops_the_start_with_every_problem_located(tmp_path: Path) -> None:
    path = tmp_path / "grounds.yaml"
    broken = CUSTOM.replace("ILLEGAL_OR_HARMFUL_SPEECH", "SCOPE_OF_PLATFORM_SERVICE").replace(
        "{fr: Insulte envers un agent, en: Insulting a staff member}", "{fr: Insulte envers un agent}"
    )
    path.write_text(broken + "  - key: Bad Key\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        build_grounds(str(path))
    message = error.value.message
    assert f"{path}:3:12: 'label' needs a text in French and in English" in message
    assert f"{path}:6:15: category 'STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE' no longer exists" in message
    assert "schema v2 calls it STATEMENT_CATEGORY_OTHER_VIOLATION_TC" in message
    assert f"{path}:7:10: a ground needs a key of lowercase letters" in message
    with pytest.raises(ConfigError, match="cannot read it"):
        build_grounds(str(tmp_path / "missing.yaml"))
