"""The language analyzer names the language of a post, with a probability, and abstains on too little text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from beffroi.analyzers.base import AnalyzerContext
from beffroi.analyzers.language import LanguageAnalyzer
from beffroi.domain import Author, Item, Source
from beffroi.settings import Settings


@pytest.fixture(scope="module")
def analyzer() -> LanguageAnalyzer:
    found = LanguageAnalyzer(AnalyzerContext(Settings()))
    found.prepare()
    return found


def _language(analyzer: LanguageAnalyzer, text: str) -> tuple[str, float]:
    item = Item("itm_1", "s", Author("a"), Source("test", "1"), text, None, datetime.now(UTC))
    [[signal]] = analyzer.analyze([item])
    return signal.label, signal.score


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("On va lui couper la tête à ce maire.", "language.fr"),
        ("jvais te buter ce soir", "language.fr"),
        ("Ce maire détruit la ville, votez contre lui aux prochaines élections !", "language.fr"),
        ("The mayor is destroying this town, vote him out", "language.en"),
        ("Ich werde morgen nach Berlin fahren, um meine Familie zu besuchen.", "language.de"),
        ("Mañana voy a la playa con mis amigos.", "language.es"),
        ("Yarın arkadaşlarımla sinemaya gideceğim.", "language.tr"),
        ("Завтра я пойду в кино.", "language.ru"),
        ("سأذهب إلى السوق غدا", "language.ar"),
    ],
)
def test_posts_get_their_language(analyzer: LanguageAnalyzer, text: str, label: str) -> None:
    found, probability = _language(analyzer, text)
    assert found == label
    assert 0.5 < probability <= 1.0


@pytest.mark.parametrize("text", ["", "ok", "😂😂😂", "12345 !!"])
def test_too_few_letters_is_undetermined(analyzer: LanguageAnalyzer, text: str) -> None:
    assert _language(analyzer, text) == ("language.und", 1.0)


def test_a_short_ambiguous_post_gets_a_low_probability(analyzer: LanguageAnalyzer) -> None:
    label, probability = _language(analyzer, "Merci !")
    assert label.startswith("language.")
    assert probability < 0.8
    assert _language(analyzer, "Merci beaucoup pour la réunion publique, très instructive sur le budget")[1] > 0.99
