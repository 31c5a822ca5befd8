"""Beffroi's own French/English text classifier: calibrated scores for five labels, with evidence spans.

Runtime needs numpy, onnxruntime and tokenizers only. The model is e5-small's first 6 layers,
fine-tuned and int8-quantised, stacked with a char n-gram linear model (training/text/ rebuilds both;
docs/models/text-classifier.md describes them).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort  # type: ignore[import-untyped]
from tokenizers import Tokenizer

from .ngrams import NgramModel
from .normalize import Normalized, normalize
from .spans import label_spans, occlusions, words

LABELS: tuple[str, ...] = ("toxicity", "insult", "hate", "threat", "sexual_harassment")
MODEL_DIR = Path(__file__).parent / "model"
MODEL_VERSION: str = json.loads((MODEL_DIR / "calibration.json").read_text())["model_version"]
BATCH = 64
BOS, PAD, EOS = 0, 1, 2

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class LabelSpan:
    label: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TextPrediction:
    scores: dict[str, float]
    flagged: tuple[str, ...]
    spans: tuple[LabelSpan, ...]


def sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
    return out


@dataclass(frozen=True)
class Calibration:
    """Per label: p = sigmoid(a * encoder_logit + c * ngram_logit + b), and the default flag threshold.

    c is 0 for labels where stacking the n-gram model did not help on the dev split.
    """

    a: FloatArray
    b: FloatArray
    c: FloatArray
    thresholds: FloatArray

    @classmethod
    def load(cls, raw: dict[str, dict[str, float]]) -> Calibration:
        a, b, c, t = ([raw[label].get(key, 0.0) for label in LABELS] for key in ("a", "b", "c", "threshold"))
        return cls(*(np.array(v, np.float32) for v in (a, b, c, t)))

    def combine(self, encoder: FloatArray, ngram: FloatArray) -> FloatArray:
        z: FloatArray = np.asarray(encoder * self.a + ngram * self.c + self.b, dtype=np.float32)
        return z


@dataclass(frozen=True)
class FirstStage:
    """Texts the n-gram model finds clearly benign (every label below `route_below`) skip the encoder."""

    calibration: Calibration
    route_below: float

    def doubtful(self, ngram_logits: FloatArray) -> tuple[FloatArray, BoolArray]:
        probs = sigmoid(self.calibration.combine(ngram_logits, np.zeros_like(ngram_logits)))
        doubtful: BoolArray = np.asarray((probs >= self.route_below).any(axis=1), dtype=bool)
        return probs, doubtful


class TextClassifier:
    def __init__(self, session: ort.InferenceSession, tokenizer: Tokenizer, calibration: Calibration,
                 max_len: int, ngram: NgramModel, first_stage: FirstStage | None = None) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.calibration = calibration
        self.max_len = max_len
        self.ngram = ngram
        self.first_stage = first_stage

    @classmethod
    def load(cls, model_dir: Path | None = None, threads: int = 2, cascade: bool | None = None) -> TextClassifier:
        """cascade: send only doubtful texts to the encoder; None takes the model's shipped default."""
        model_dir = model_dir or MODEL_DIR
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        session = ort.InferenceSession(str(model_dir / "text-classifier.int8.onnx"), opts,
                                       providers=["CPUExecutionProvider"])
        meta = json.loads((model_dir / "calibration.json").read_text())
        stage = meta["first_stage"]
        use_cascade = stage.get("enabled_by_default", False) if cascade is None else cascade
        first = FirstStage(Calibration.load(stage["labels"]), float(stage["route_below"])) if use_cascade else None
        return cls(session, Tokenizer.from_file(str(model_dir / "tokenizer.json")), Calibration.load(meta["labels"]),
                   int(meta["max_len"]), NgramModel.load(model_dir / stage["file"]), first)

    def logits(self, texts: Sequence[str]) -> FloatArray:
        """Raw encoder logits for already-normalised texts, batched by length to limit padding."""
        encs = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        ids = [[BOS, *e.ids[: self.max_len - 2], EOS] for e in encs]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), len(LABELS)), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]
            out[chunk] = self._run([ids[i] for i in chunk])
        return out

    def _run(self, batch: list[list[int]]) -> FloatArray:
        width = max(len(x) for x in batch)
        ids = np.full((len(batch), width), PAD, dtype=np.int64)
        for row, x in enumerate(batch):
            ids[row, : len(x)] = x
        mask = (ids != PAD).astype(np.int64)
        result = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
        return np.asarray(result, dtype=np.float32)

    def combined(self, texts: Sequence[str]) -> FloatArray:
        """Calibrated log-odds (encoder stacked with n-grams) for already-normalised texts."""
        return self.calibration.combine(self.logits(texts), self.ngram.logits(texts))

    def predict(self, texts: Sequence[str], explain: bool = True) -> list[TextPrediction]:
        """explain=False skips the evidence spans (occlusion costs about one extra pass per word of
        each flagged text); use it for bulk scoring, and explain only what a person will review."""
        norms = [normalize(t) for t in texts]
        probs, z, flags = self._score([n.text for n in norms])
        spans = self._spans(texts, norms, z, flags) if explain else [() for _ in texts]
        return [TextPrediction(scores={label: float(p[j]) for j, label in enumerate(LABELS)},
                               flagged=tuple(label for j, label in enumerate(LABELS) if f[j]),
                               spans=s) for p, f, s in zip(probs, flags, spans)]

    def _score(self, texts: list[str]) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Probabilities, log-odds and flags; texts the first stage clears are never flagged."""
        n = len(texts)
        ngram = self.ngram.logits(texts)
        probs = np.zeros((n, len(LABELS)), dtype=np.float32)
        doubtful = np.ones(n, dtype=bool)
        if self.first_stage is not None and n:
            probs, doubtful = self.first_stage.doubtful(ngram)
        z = np.zeros((n, len(LABELS)), dtype=np.float32)
        chosen = np.flatnonzero(doubtful)
        if chosen.size:
            z[chosen] = self.calibration.combine(self.logits([texts[i] for i in chosen]), ngram[chosen])
            probs[chosen] = sigmoid(z[chosen])
        flags = (probs >= self.calibration.thresholds) & doubtful[:, None]
        return probs, z, flags

    def _spans(self, texts: Sequence[str], norms: list[Normalized], z: FloatArray,
               flags: BoolArray) -> list[tuple[LabelSpan, ...]]:
        """Occlusion for flagged texts only, all their variants scored in one batched call."""
        todo = [i for i in range(len(texts)) if flags[i].any()]
        bounds = {i: words(norms[i].text) for i in todo}
        variants = [v for i in todo for v in occlusions(norms[i].text, bounds[i])]
        scored = self.combined(variants) if variants else np.zeros((0, len(LABELS)), np.float32)
        result: list[tuple[LabelSpan, ...]] = [() for _ in texts]
        offset = 0
        for i in todo:
            block = scored[offset:offset + len(bounds[i])]
            offset += len(bounds[i])
            result[i] = tuple(
                LabelSpan(label, s, e, texts[i][s:e])
                for j, label in enumerate(LABELS) if flags[i, j]
                for s, e in label_spans(norms[i], bounds[i], float(z[i, j]), block[:, j]))
        return result
