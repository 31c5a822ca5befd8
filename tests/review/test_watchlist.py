"""Watchlists: a space's protected people, found in texts however they are written, and read by the policy."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from beffroi.analyzers.registry import AnalyzerRegistry
from beffroi.analyzers.watchlist import PROTECTED_LABEL, protected_person_signal, watchlist_signal
from beffroi.domain import Author, Item, Signal, Source, Span
from beffroi.policy.loader import load_policy
from beffroi.space_settings import WatchedPerson
from tests.support import item

MAYOR = WatchedPerson(name="Olivier Bianchi", variants=["Bianchi"], handles=["@obianchi@clermont.social"])
DEPUTY = WatchedPerson(name="Cécile Audet")


def _item(text: str) -> Item:
    return Item("itm_1", "mairie", Author("a"), Source("api", "1"), text, None, datetime.now(UTC))


def test_names_are_found_whatever_the_accents_case_or_obfuscation() -> None:
    text = "Ce B.I.A.N.C.H.I et cecile AUDET, on les aura. cc @OBianchi@clermont.social"
    signal = watchlist_signal(_item(text), [MAYOR, DEPUTY])
    assert signal is not None
    assert signal.details["names"] == ["Olivier Bianchi", "Cécile Audet"]
    assert [span.text for span in signal.spans] == ["B.I.A.N.C.H.I", "cecile AUDET", "@OBianchi@clermont.social"]


def test_a_name_one_typo_away_is_found_but_short_words_must_be_exact() -> None:
    text = "Olivier Bianchy et la CECILE AUDETT, puis Bianci seul"
    signal = watchlist_signal(_item(text), [MAYOR, DEPUTY])
    assert signal is not None
    assert signal.details["names"] == ["Olivier Bianchi", "Cécile Audet"]
    assert [span.text for span in signal.spans] == ["Olivier Bianchy", "CECILE AUDETT", "Bianci"]
    assert watchlist_signal(_item("Il pleut à Paris"), [WatchedPerson(name="Pari")]) is None  # too short to guess
    assert watchlist_signal(_item("Bonjour Nianchi"), [MAYOR]) is None  # the first letter must match


def test_only_whole_words_count_and_no_list_means_no_signal() -> None:
    assert watchlist_signal(_item("Les bianchini sont arrivés"), [MAYOR]) is None
    assert watchlist_signal(_item("Bianchi"), []) is None


def test_a_threat_naming_a_protected_person_goes_first_in_line_to_the_legal_escalation(client: TestClient) -> None:
    watchlist = [{"name": "Olivier Bianchi", "variants": ["Bianchi"]}]
    assert client.put("/v1/spaces/default/settings", json={"watchlist": watchlist}).status_code == 200
    posted = client.post("/v1/items?wait=30", json=item("On va lui couper la tête à Bianchi.")).json()
    verdict = posted["verdict"]
    assert "threat-against-protected-person" in verdict["rules"]
    assert {"kind": "escalate", "params": {"to": "legal"}} in verdict["actions"]
    [found] = [s for s in posted["signals"] if s["label"] == "watchlist"]
    assert found["spans"][0]["text"] == "Bianchi"
    [aimed] = [s for s in posted["signals"] if s["label"] == PROTECTED_LABEL]
    assert aimed["details"] == {"names": ["Olivier Bianchi"], "because": ["keywords.threat"]}
    assert "Bianchi" in [span["text"] for span in aimed["spans"]] and len(aimed["spans"]) >= 2

    same_text_elsewhere = client.post("/v1/items?wait=30", json=item("Bianchi est en retard.")).json()
    assert "threat-against-protected-person" not in same_text_elsewhere["verdict"]["rules"]
    assert PROTECTED_LABEL not in [s["label"] for s in same_text_elsewhere["signals"]]


def test_a_threat_or_insult_naming_a_protected_person_becomes_its_own_signal() -> None:
    text = "Bianchi, espèce de connard"
    named = watchlist_signal(_item(text), [MAYOR])
    assert named is not None
    insult = Signal("insult", 0.8, "keywords", "1", (Span(9, 26, "espèce de connard"),))
    weak_threat = Signal("threat", 0.3, "text_model", "m1")
    aimed = protected_person_signal(named, [weak_threat, insult])
    assert aimed is not None
    assert (aimed.label, aimed.score, aimed.details["because"]) == (PROTECTED_LABEL, 0.8, ["keywords.insult"])
    assert [span.text for span in aimed.spans] == ["Bianchi", "espèce de connard"]
    assert protected_person_signal(named, [weak_threat]) is None  # below AIMED_MIN_SCORE: only the name is kept


def test_a_watchlist_entry_must_name_someone(client: TestClient) -> None:
    refused = client.put("/v1/spaces/default/settings", json={"watchlist": [{"name": "", "variants": ["x"]}]})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["loc"].startswith("watchlist")


def test_policies_may_read_the_protected_person_signal() -> None:
    rules = """
name: protected
version: 1
rules:
  - name: insult-to-an-official
    when: score("threat.protected_person") >= 0.5
    then:
      - open_case: {queue: threats, priority: 90}
"""
    policy = load_policy(rules, "test", AnalyzerRegistry.discover().labels())
    named = Signal("watchlist", 1.0, "watchlist", "1", (Span(0, 7, "Bianchi"),), {"names": ["Olivier Bianchi"]})
    aimed = protected_person_signal(named, [Signal("insult", 0.8, "keywords", "1")])
    assert aimed is not None
    verdict = policy.evaluate(_item("Bianchi, espèce de connard"), [named, aimed])
    assert verdict.rules == ("insult-to-an-official",)
