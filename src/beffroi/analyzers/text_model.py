"""Beffroi's trained French/English text classifier as an analyzer (docs/models/text-classifier.md).

Five calibrated labels: toxicity, insult, hate, threat, sexual_harassment. Unlike `keywords`, it reads
context: negation, idioms, quoting to condemn. A label is reported from `MIN_SCORE` up, so the policy and the
console see doubtful scores too; labels over the model's own thresholds carry the spans of text that drove
them (occlusion: one extra pass per word, spent only on flagged texts).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from beffroi.analyzers.base import Analyzer
from beffroi.analyzers.text.classifier import LABELS, MODEL_DIR, TextClassifier, TextPrediction
from beffroi.domain import Item, Signal, Span

MIN_SCORE = 0.05  # below this a label is left out: absent reads as 0 in policies, and saves a row per label


def _model_version() -> str:
    return str(json.loads((MODEL_DIR / "calibration.json").read_text(encoding="utf-8"))["model_version"])


class TextModelAnalyzer(Analyzer):
    name = "text_model"
    version = _model_version()
    labels = LABELS

    _classifier: TextClassifier | None = None

    def prepare(self) -> None:
        self._model()

    def _model(self) -> TextClassifier:
        if self._classifier is None:
            self._classifier = TextClassifier.load(threads=self.context.settings.text_model_threads)
        return self._classifier

    def analyze(self, items: Sequence[Item]) -> list[list[Signal]]:
        if not items:
            return []
        explain = self.context.settings.text_model_explain
        predictions = self._model().predict([item.text for item in items], explain=explain)
        return [self._signals(p) for p in predictions]

    def _signals(self, prediction: TextPrediction) -> list[Signal]:
        signals = []
        for label in LABELS:
            score = prediction.scores[label]
            if score < MIN_SCORE:
                continue
            spans = [Span(s.start, s.end, s.text) for s in prediction.spans if s.label == label]
            signals.append(self.signal(label, score, spans, {"flagged": label in prediction.flagged}))
        return signals

    def close(self) -> None:
        self._classifier = None
