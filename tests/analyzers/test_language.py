"""The language analyzer names the language of a post, with a probability, and abstains on too little text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from beffroi.analyzers.base import AnalyzerContext
from beffroi.analyzers.langid_batch import BatchIdentifier
from beffroi.analyzers.language import LANGUAGES, LanguageAnalyzer
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


def test_a_batch_gets_what_py3langid_gives_each_post_alone() -> None:
    # The batch walk must be py3langid's model exactly: same language, probability to float32 rounding, for posts
    # of every length in one batch (the longest finish alone), capitals, emoji, and text with no known n-gram.
    library = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    library.set_languages(list(LANGUAGES))
    texts = [
        "On va lui couper la tête à ce maire.",
        "THE MAYOR IS DESTROYING THIS TOWN",
        "Merci pour le marché de Noël 🎄",
        "ok",
        "",
        "zzqx",
        "Завтра я пойду в кино.",
        "Réunion publique jeudi à 18h, venez nombreux. " * 60,
        "The council meets on Thursday evening to vote the budget " * 25,
        *(f"post {n}: la séance du conseil municipal est ouverte" for n in range(20)),
    ]
    expected = [library.classify(text) for text in texts]
    found = BatchIdentifier(library).classify(texts)
    assert [language for language, _ in found] == [language for language, _ in expected]
    assert [probability for _, probability in found] == pytest.approx([p for _, p in expected], abs=1e-5)
    assert BatchIdentifier(library).classify([]) == []
