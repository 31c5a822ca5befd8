"""Behaviour of the shipped text model on clear cases (real model, no mocks)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from beffroi.analyzers.base import AnalyzerContext
from beffroi.analyzers.text.classifier import LABELS, TextClassifier, TextPrediction
from beffroi.analyzers.text.spans import merge, words
from beffroi.analyzers.text_model import TextModelAnalyzer
from beffroi.domain import Author, Item, Signal, Source
from beffroi.settings import Settings


@pytest.fixture(scope="module")
def classifier() -> TextClassifier:
    return TextClassifier.load()


def predict_one(classifier: TextClassifier, text: str) -> TextPrediction:
    return classifier.predict([text])[0]


def test_scores_are_probabilities_for_every_label(classifier: TextClassifier) -> None:
    prediction = predict_one(classifier, "Bonjour à tous, réunion jeudi.")
    assert set(prediction.scores) == set(LABELS)
    assert all(0.0 <= s <= 1.0 for s in prediction.scores.values())
    assert classifier.version


@pytest.mark.parametrize("text", ["On va lui couper la tête à ce maire.", "I'm going to kill the mayor tonight."])
def test_threat_is_flagged(classifier: TextClassifier, text: str) -> None:
    assert "threat" in predict_one(classifier, text).flagged


@pytest.mark.parametrize(
    "text",
    [
        "Ce maire détruit la ville, votez contre lui",
        "J'ai coupé la tête du poisson avant de le cuire.",
        "Je tue le temps en attendant le train.",
    ],
)
def test_idiom_and_political_criticism_pass(classifier: TextClassifier, text: str) -> None:
    assert "threat" not in predict_one(classifier, text).flagged


def test_threat_scores_above_its_idiom(classifier: TextClassifier) -> None:
    threat, idiom = classifier.predict(["je vais te tuer", "je vais tuer le temps"])
    assert threat.scores["threat"] > idiom.scores["threat"]


@pytest.mark.parametrize("text", ["jvais te buter 🔪", "je vais te t u e r"])
def test_obfuscated_threat_is_flagged(classifier: TextClassifier, text: str) -> None:
    assert "threat" in predict_one(classifier, text).flagged


def test_spans_point_inside_the_original_text(classifier: TextClassifier) -> None:
    text = "Bonjour. Je vais te t u e r demain, sale rat."
    prediction = predict_one(classifier, text)
    threat_spans = [s for s in prediction.spans if s.label == "threat"]
    assert threat_spans
    for span in prediction.spans:
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
    assert any(s.start >= text.index("Je") for s in threat_spans)


def test_unflagged_text_has_no_spans(classifier: TextClassifier) -> None:
    prediction = predict_one(classifier, "La piscine municipale rouvre lundi.")
    assert not prediction.flagged
    assert not prediction.spans


def test_the_analyzer_reports_evidence_only_when_asked() -> None:
    threat = Item("itm_1", "default", Author("a"), Source("t", "1"), "jvais te buter ce soir", None, datetime.now(UTC))

    def signals(explain: bool) -> dict[str, Signal]:
        analyzer = TextModelAnalyzer(AnalyzerContext(Settings(text_model_explain=explain)))
        return {s.label: s for s in analyzer.analyze([threat])[0]}

    with_spans, without = signals(True), signals(False)
    assert with_spans["threat"].details == without["threat"].details == {"flagged": True}
    assert with_spans["threat"].score == without["threat"].score
    assert with_spans["threat"].spans and not without["threat"].spans


def test_parallel_runs_give_each_text_its_own_answer_in_order(classifier: TextClassifier) -> None:
    texts = [
        "jvais te buter ce soir",
        "La piscine municipale rouvre lundi.",
        "On va lui couper la tête à ce maire.",
        "Ce maire détruit la ville, votez contre lui",
        "I'm going to kill you",
        "t'es qu'un gros connard",
        "envoie moi des nudes",
    ]
    one_at_a_time = TextClassifier.load(threads=1)
    assert one_at_a_time.runs == 1 and classifier.runs == 2
    alone = [one_at_a_time.predict([text])[0] for text in texts]
    together = classifier.predict(texts)
    assert together == alone  # same scores, flags and spans: a text's answer never depends on its neighbours
    assert any(p.spans for p in together) and any(not p.flagged for p in together)


def test_a_span_never_runs_across_the_end_of_a_sentence() -> None:
    text = "bonjour. je vais te tuer demain"
    bounds = words(text)
    # "bonjour." "je" "vais" chosen: adjacent, but the greeting ends a sentence, so it stays a span of its own.
    assert [text[s:e] for s, e in merge([0, 1, 2], bounds, text)] == ["bonjour.", "je vais"]
    assert [text[s:e] for s, e in merge([1, 2, 5], bounds, text)] == ["je vais", "demain"]
