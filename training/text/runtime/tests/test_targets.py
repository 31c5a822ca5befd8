"""Watchlist matching: names, accents, case, handles, a typo, and offsets into the original text."""
from __future__ import annotations

from beffroi.analyzers.text.targets import WatchedPerson, find_targets

MAYOR = WatchedPerson("mayor", ("Hélène Dubœuf", "Dubœuf", "Madame la maire"), ("@HDuboeuf",))
DEPUTY = WatchedPerson("deputy", ("Karim Benali", "Benali"))


def test_full_name_with_accents_stripped_and_caps() -> None:
    text = "On va s'occuper de HELENE DUBŒUF ce soir"
    [match] = find_targets(text, [MAYOR])
    assert (match.person_id, match.text) == ("mayor", "HELENE DUBŒUF")


def test_handle_typo_and_offsets() -> None:
    text = "@hduboeuf et Benaly, vous allez payer"
    matches = find_targets(text, [MAYOR, DEPUTY])
    assert [m.person_id for m in matches] == ["mayor", "deputy"]
    assert all(text[m.start:m.end] == m.text for m in matches)


def test_short_words_are_not_fuzzy_matched() -> None:
    assert find_targets("Il pleut à Paris", [WatchedPerson("x", ("Pari",))]) == []
