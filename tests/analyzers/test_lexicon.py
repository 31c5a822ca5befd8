"""Tests for the French/English lexicon matcher (beffroi.analyzers.text.lexicon)."""

from __future__ import annotations

import re

import pytest

from beffroi.analyzers.text.lexicon import Lexicon, LexiconMatch


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def labels(lexicon: Lexicon, text: str) -> set[str]:
    return {match.label for match in lexicon.match(text)}


def only_match(lexicon: Lexicon, text: str, label: str) -> LexiconMatch:
    matches = [match for match in lexicon.match(text) if match.label == label]
    assert len(matches) == 1, (text, lexicon.match(text))
    return matches[0]


# --- threats, with spans into the original text -------------------------------------


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Franchement, on va lui couper la tête à ce maire.", "on va lui couper la tête"),
        ("je vais te tuer", "je vais te tuer"),
        ("jvais te buter demain", "jvais te buter"),
        ("jte bute", "jte bute"),
        ("On va tuer le maire", "On va tuer le maire"),
        ("Il mérite de mourir, ce type", "mérite de mourir"),
        ("on sait où tu habites", "on sait où tu habites"),
        ("I'm going to kill you tonight", "I'm going to kill you"),
        ("ok so I will kill him", "I will kill him"),
        ("the mayor deserves to die", "deserves to die"),
        ("I know where you live.", "I know where you live"),
    ],
)
def test_threats_are_matched_with_their_span(lexicon: Lexicon, text: str, span: str) -> None:
    match = only_match(lexicon, text, "threat")
    assert text[match.start : match.end] == span
    assert 0 < match.weight <= 1


def test_match_reports_the_entry_that_fired(lexicon: Lexicon) -> None:
    match = only_match(lexicon, "je vais te tuer", "threat")
    assert match.term == "@sujet * @pron @tuer"
    assert match.weight == 0.9


# --- obfuscation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "JE VAIS TE TUER",  # case
        "je vais te tüér",  # accents added
        "je vais te t u e r",  # spaced letters
        "je vais te t.u.e.r",  # dotted letters
        "je vais te tuuuuuer",  # repeated letters
        "j3 v41s t3 tu3r",  # leetspeak
        "je vais te tu\u200ber",  # zero-width space
        "j\u2019vais te buter",  # curly apostrophe
        "I'm g0nna k1ll y0u",
        "ima kiiiill you",
        "i'll k-i-l-l you",
    ],
)
def test_obfuscated_threats_are_matched(lexicon: Lexicon, text: str) -> None:
    assert "threat" in labels(lexicon, text)


def test_spans_stay_right_when_folding_changes_length(lexicon: Lexicon) -> None:
    # NFD accents and removed spacing shift folded offsets; spans must not shift.
    text = "Alors\u0301 voila\u0300: je vais te t . u . e . r !!"
    match = only_match(lexicon, text, "threat")
    assert text[match.start : match.end] == "je vais te t . u . e . r"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("espèce de c0nnard", "insult"),
        ("c o n n a r d", "insult"),
        ("$alope", "insult"),
        ("fils de pute", "insult"),
        ("you f*cking moron", "insult"),
        ("sale arabe", "hate"),
        ("these immigrants are nothing but rats", "hate"),
        ("envoie tes nudes", "sexual_harassment"),
        ("putain de merde", "toxicity"),
        ("\u0441\u043enn\u0430rd", "insult"),  # Cyrillic look-alike letters
    ],
)
def test_other_labels(lexicon: Lexicon, text: str, label: str) -> None:
    assert label in labels(lexicon, text)


# --- emoji cues -----------------------------------------------------------------------


def test_weapon_emoji_next_to_a_person_is_a_threat(lexicon: Lexicon) -> None:
    text = "le maire 🔪🔪"
    match = only_match(lexicon, text, "threat")
    assert text[match.start : match.end] == "le maire 🔪🔪"


def test_span_keeps_the_emoji_variation_selector(lexicon: Lexicon) -> None:
    text = "toi ⚰️"
    match = only_match(lexicon, text, "threat")
    assert text[match.start : match.end] == "toi ⚰️"


@pytest.mark.parametrize("text", ["🔪 couper les oignons finement", "💣 cette recette est une bombe"])
def test_weapon_emoji_alone_is_not_a_threat(lexicon: Lexicon, text: str) -> None:
    assert lexicon.match(text) == []


# --- what must pass -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ce maire détruit la ville, votez contre lui !",
        "Démission !",
        "Incompetent mayor, resign now.",
        "This council is a disgrace and we will beat them in November",
        "Il faut le virer aux prochaines élections",
        "Le conseil municipal a voté le budget",
        "On va les éclater aux municipales",
    ],
)
def test_political_criticism_is_not_matched(lexicon: Lexicon, text: str) -> None:
    assert lexicon.match(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "on va tuer le temps au café",
        "il faut tuer ce projet dans l\u0153uf",
        "couper la poire en deux",
        "mort de rire",
        "je vais te tuer aux échecs",
        "je suis crevé ce soir",
        "we just kill time at the station",
        "the band was killing it",
        "I'm dead tired",
        "I'll kill you at chess",
        "I'll shoot you an email tomorrow",
        "a chink in the armor",
    ],
)
def test_idioms_are_not_matched(lexicon: Lexicon, text: str) -> None:
    assert lexicon.match(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "le conseil municipal",
        "un conseiller",
        "chili con carne",
        "take a bite",
        "le train a du retard",
    ],
)
def test_words_inside_or_across_languages_are_not_matched(lexicon: Lexicon, text: str) -> None:
    assert lexicon.match(text) == []


def test_con_matches_as_a_whole_word_only(lexicon: Lexicon) -> None:
    assert labels(lexicon, "quel con") == {"insult"}
    assert lexicon.match("quel conseil") == []


def test_on_tuesday_is_not_a_french_threat(lexicon: Lexicon) -> None:
    assert lexicon.match("On Tuesday, Mark said hello") == []


# --- the file format ------------------------------------------------------------------


def test_from_lines_parses_macros_gaps_alternatives_and_exceptions() -> None:
    lexicon = Lexicon.from_lines(
        [
            "# a comment",
            "@verb = chop | cut off",
            "[threat]",
            "0.8 i will * @verb your head|hand",
            "[except]",
            "chop your hand at cooking",
        ],
        "test.txt",
    )
    assert [m.term for m in lexicon.match("I will totally cut off your head")] == ["i will * @verb your head|hand"]
    assert lexicon.match("i will chop your hand at cooking") == []
    assert lexicon.match("i will chop chop chop your head") == []  # the gap is one word


def test_stem_matches_longer_words() -> None:
    lexicon = Lexicon.from_lines(["[insult]", "0.5 encul~"], "test.txt")
    assert [m.term for m in lexicon.match("enculés")] == ["encul~"]


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (["[threat]", "high kill you"], "test.txt:2: weight 'high' is not a number"),
        (["[threat]", "1.5 kill you"], "test.txt:2: weight 1.5 is outside (0, 1]"),
        (["0.5 kill you"], "test.txt:1: entry before any [section]"),
        (["[threats]"], "test.txt:1: unknown section [threats]"),
        (["[threat]", "0.5 @nope you"], "test.txt:2: unknown macro @nope"),
        (["[threat]", "0.5 kill|| you"], "test.txt:2: empty alternative"),
        (["[threat]", "0.5 * kill"], "test.txt:2: pattern"),
        (["[threat]", "", "0.5 kill ..."], "test.txt:3: word '...' has no letter"),
        (["[threat]", "0.5"], "test.txt:2: entry has a weight but no pattern"),
    ],
)
def test_malformed_line_names_source_and_line(lines: list[str], problem: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(problem)):
        Lexicon.from_lines(lines, "test.txt")


def test_packaged_files_load_per_language() -> None:
    french = Lexicon.load(["fr"])
    assert labels(french, "je vais te tuer") == {"threat"}
    assert french.match("I'm going to kill you") == []


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no lexicon for language 'de'"):
        Lexicon.load(["de"])
    with pytest.raises(ValueError, match="must be a code"):
        Lexicon.load(["../fr"])


def test_exception_only_vetoes_the_match_it_overlaps(lexicon: Lexicon) -> None:
    text = "je vais te tuer aux échecs, puis je vais te tuer pour de vrai"
    match = only_match(lexicon, text, "threat")
    assert match.start == text.index("puis je") + len("puis ")


def test_negation_is_a_known_limit(lexicon: Lexicon) -> None:
    # Documented in keywords.md: the trained model, not the lexicon, handles negation.
    assert "threat" in labels(lexicon, "je ne vais pas te tuer")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_packaged_file_covers_every_label(language: str) -> None:
    entries = Lexicon.load([language]).entries
    assert {entry.label for entry in entries} == {
        "threat",
        "insult",
        "hate",
        "sexual_harassment",
        "toxicity",
    }
    assert len(entries) >= 90
