"""Repair of UTF-8 misread as Latin-1 / Windows-1252, and the map back to the characters the author sent."""

from __future__ import annotations

import pytest

from beffroi.analyzers.text.mojibake import repair
from beffroi.analyzers.text.normalize import normalize


def garble(text: str, codec: str = "cp1252") -> str:
    """What a connector that guessed the wrong encoding hands us: each UTF-8 byte read as one character (bytes that
    Windows-1252 leaves undefined pass as Latin-1 control characters, as in the French hate corpus)."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode(codec))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


@pytest.mark.parametrize(
    "text",
    [
        "L'Allemagne redevient un état à part, déjà",
        "ça s’annonce compliquée… « vraiment »",
        "à la croix 🤏 mdrr 🤦🏼‍♀️",
        "Sale arabe, rentre chez toi 🤬",
    ],
)
def test_misread_text_is_restored(text: str) -> None:
    assert repair(garble(text))[0] == text


def test_bytes_windows_1252_leaves_undefined_come_back_as_latin_1() -> None:
    # U+2019 is E2 80 99; 0x81, 0x8D, 0x8F, 0x90 and 0x9D have no Windows-1252 character, so a Latin-1 reader is the
    # one that hands them over, as C1 control characters: 🏼 is F0 9F 8F BC.
    assert repair(garble("l’homme 🏼", "latin-1"))[0] == "l’homme 🏼"


@pytest.mark.parametrize(
    "text",
    ["Ça coûte 5 € à l'été", "ÉTÉ… À « bientôt »", "Âge: 12 ans, Ärger über Ålesund", "naïve déjà-vu™"],
)
def test_real_accents_are_left_alone(text: str) -> None:
    repaired, starts, ends = repair(text)
    assert repaired == text
    assert starts == list(range(len(text))) and ends == list(range(1, len(text) + 1))


def test_a_sequence_that_is_not_utf8_stays_as_written() -> None:
    # "Ã©" marks the text; "Ã" before a space starts no valid sequence, so it is kept.
    assert repair("Ã© et Ã bientôt")[0] == "é et Ã bientôt"


def test_each_repaired_character_maps_to_the_characters_it_came_from() -> None:
    sent = garble("tué 🔪")
    repaired, starts, ends = repair(sent)
    assert repaired == "tué 🔪"
    assert sent[starts[2] : ends[2]] == "Ã©"
    assert sent[starts[4] : ends[4]] == garble("🔪")


def test_normalised_spans_cover_the_whole_misread_word() -> None:
    sent = garble("je vais te tuér ce soir 🔪")
    norm = normalize(sent)
    assert norm.text == "je vais te tuér ce soir couteau"
    start = norm.text.index("tuér")
    assert sent[slice(*norm.span(start, start + 4))] == garble("tuér")
    knife = norm.text.index("couteau")
    assert sent[slice(*norm.span(knife, knife + len("couteau")))] == garble("🔪")
