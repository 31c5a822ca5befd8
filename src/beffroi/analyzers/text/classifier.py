"""Beffroi's own French/English text classifier: calibrated scores for five labels, with evidence spans.

Runtime needs numpy, onnxruntime and tokenizers only. The model is e5-small's first 6 layers,
fine-tuned and int8-quantised, stacked with a char n-gram linear model (training/text/ rebuilds both;
docs/models/text-classifier.md describes them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .ngrams import NgramModel
from .normalize import Normalized, normalize
from .spans import label_spans, occlusions, words

if TYPE_CHECKING:  # both load in load(): a process that only lists the analyzers should not pay for them
    import onnxruntime as ort  # type: ignore[import-untyped]
    from tokenizers import Tokenizer

LABELS: tuple[str, ...] = ("toxicity", "insult", "hate", "threat", "sexual_harassment")
MODEL_DIR = Path(__file__).parent / "model"
BOS, PAD, EOS = 0, 1, 2
TOGETHER = 64  # occlusion variants of one text run in batches of this many

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
    def __init__(
        self,
        session: ort.InferenceSession,
        tokenizer: Tokenizer,
        calibration: Calibration,
        max_len: int,
        ngram: NgramModel,
        first_stage: FirstStage | None = None,
        version: str = "",
        runs: int = 1,
    ) -> None:
        self.version = version  # the model's own name (calibration.json), recorded on every signal
        self.session = session
        self.tokenizer = tokenizer
        self.calibration = calibration
        self.max_len = max_len
        self.ngram = ngram
        self.first_stage = first_stage
        self.runs = runs
        # onnxruntime lets go of the interpreter lock while it runs, so threads are enough to use every core.
        self._pool = ThreadPoolExecutor(runs, thread_name_prefix="text-model") if runs > 1 else None

    def _in_parts(self, count: int, work: Callable[[list[int]], None]) -> None:
        """work(indices) over range(count) cut in one part per run, the parts at once; the first error is raised.

        A part does everything for its texts (normalising, n-grams, the encoder), so one part's Python overlaps
        another's model run; the parts are interleaved so that long and short texts spread evenly."""
        share = min(self.runs, count)
        if self._pool is None or share < 2:
            work(list(range(count)))
            return
        for done in [self._pool.submit(work, list(range(k, count, share))) for k in range(share)]:
            done.result()

    @classmethod
    def load(cls, model_dir: Path | None = None, threads: int = 2, cascade: bool | None = None) -> TextClassifier:
        """threads: texts run at once, one core each; cascade: send only doubtful texts to the encoder (None takes
        the model's shipped default)."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = model_dir or MODEL_DIR
        opts = ort.SessionOptions()
        # One core per run, several runs at once: one tweet is too small a product to split between cores
        # (docs/models/text-classifier.md, "Speed": two runs of one thread beat one run of two by 40-85%).
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        session = ort.InferenceSession(
            str(model_dir / "text-classifier.int8.onnx"), opts, providers=["CPUExecutionProvider"]
        )
        meta = json.loads((model_dir / "calibration.json").read_text())
        stage = meta["first_stage"]
        use_cascade = stage.get("enabled_by_default", False) if cascade is None else cascade
        first = FirstStage(Calibration.load(stage["labels"]), float(stage["route_below"])) if use_cascade else None
        return cls(
            session,
            Tokenizer.from_file(str(model_dir / "tokenizer.json")),
            Calibration.load(meta["labels"]),
            int(meta["max_len"]),
            NgramModel.load(model_dir / stage["file"]),
            first,
            str(meta["model_version"]),
            runs=max(1, threads),
        )

    def logits(self, texts: Sequence[str]) -> FloatArray:
        """Raw encoder logits for already-normalised texts, one text per run. The int8 model quantises its
        activations with one scale per run: texts run together would each get a score that depends on the
        others (by up to 0.1 measured), and a verdict must not depend on what else was in the batch."""
        out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)

        def part(indices: list[int]) -> None:
            out[indices] = self._logits_alone([texts[i] for i in indices])

        self._in_parts(len(texts), part)
        return out

    def _logits_alone(self, texts: Sequence[str]) -> FloatArray:
        """logits() in the calling thread."""
        encs = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        out = np.zeros((len(encs), len(LABELS)), dtype=np.float32)
        for row, enc in enumerate(encs):
            ids = np.array([[BOS, *enc.ids[: self.max_len - 2], EOS]], dtype=np.int64)
            out[row] = self.session.run(["logits"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]
        return out

    def combined(self, texts: Sequence[str]) -> FloatArray:
        """Calibrated log-odds (encoder stacked with n-grams) for already-normalised texts."""
        return self.calibration.combine(self.logits(texts), self.ngram.logits(texts))

    def _logits_together(self, texts: Sequence[str]) -> FloatArray:
        """Raw logits of texts run as padded batches: fast, but each depends on the others in its batch, so only
        for comparisons inside one batch (a text against its own occlusions), never for a reported score."""
        encs = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        rows = [[BOS, *e.ids[: self.max_len - 2], EOS] for e in encs]
        out = np.zeros((len(rows), len(LABELS)), dtype=np.float32)
        for start in range(0, len(rows), TOGETHER):
            chunk = rows[start : start + TOGETHER]
            ids = np.full((len(chunk), max(len(r) for r in chunk)), PAD, dtype=np.int64)
            for row, r in enumerate(chunk):
                ids[row, : len(r)] = r
            mask = (ids != PAD).astype(np.int64)
            out[start : start + len(chunk)] = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[
                0
            ]
        return out

    def predict(self, texts: Sequence[str], explain: bool = True) -> list[TextPrediction]:
        """explain=False skips the evidence spans (occlusion costs about one extra pass per word of
        each flagged text); use it for bulk scoring, and explain only what a person will review."""
        out: list[TextPrediction | None] = [None] * len(texts)

        def part(indices: list[int]) -> None:
            for i, prediction in zip(indices, self._predict_alone([texts[i] for i in indices], explain), strict=True):
                out[i] = prediction

        self._in_parts(len(texts), part)
        return [prediction for prediction in out if prediction is not None]

    def _predict_alone(self, texts: Sequence[str], explain: bool) -> list[TextPrediction]:
        """predict() in the calling thread."""
        norms = [normalize(t) for t in texts]
        probs, flags = self._score([n.text for n in norms])
        spans = self._spans(texts, norms, flags) if explain else [() for _ in texts]
        return [
            TextPrediction(
                scores={label: float(p[j]) for j, label in enumerate(LABELS)},
                flagged=tuple(label for j, label in enumerate(LABELS) if f[j]),
                spans=s,
            )
            for p, f, s in zip(probs, flags, spans, strict=True)
        ]

    def _score(self, texts: list[str]) -> tuple[FloatArray, BoolArray]:
        """Probabilities and flags; texts the first stage clears are never flagged."""
        n = len(texts)
        ngram = self.ngram.logits(texts)
        probs = np.zeros((n, len(LABELS)), dtype=np.float32)
        doubtful = np.ones(n, dtype=bool)
        if self.first_stage is not None and n:
            probs, doubtful = self.first_stage.doubtful(ngram)
        chosen = np.flatnonzero(doubtful)
        if chosen.size:
            encoder = self._logits_alone([texts[i] for i in chosen])
            probs[chosen] = sigmoid(self.calibration.combine(encoder, ngram[chosen]))
        flags = (probs >= self.calibration.thresholds) & doubtful[:, None]
        return probs, flags

    def _spans(self, texts: Sequence[str], norms: list[Normalized], flags: BoolArray) -> list[tuple[LabelSpan, ...]]:
        """Occlusion for flagged texts only. Each text runs in one batch with its own occlusions (the first row is
        the text itself), so drops compare like with like, and the spans depend on the text alone."""
        result: list[tuple[LabelSpan, ...]] = [() for _ in texts]
        for i in (i for i in range(len(texts)) if flags[i].any()):
            bounds = words(norms[i].text)
            batch = [norms[i].text, *occlusions(norms[i].text, bounds)]
            block = self.calibration.combine(self._logits_together(batch), self.ngram.logits(batch))
            result[i] = tuple(
                LabelSpan(label, s, e, texts[i][s:e])
                for j, label in enumerate(LABELS)
                if flags[i, j]
                for s, e in label_spans(norms[i], bounds, float(block[0, j]), block[1:, j])
            )
        return result
