"""py3langid's model run over a whole batch at once: the same answers, a fraction of the time.

py3langid walks a text's bytes through its n-gram automaton in a Python loop (about 1 us a byte), then scores the
n-grams it met. Here every text of a batch advances one byte per step, as one numpy operation over all of them,
so a batch of 64 posts costs about as many steps as its longest post has bytes. The automaton, the scoring and
the normalisation are py3langid's own (the model arrays are read from its LanguageIdentifier); only the order
in which a text's n-gram scores are summed differs, which moves a probability by about 1e-7.
"""

from __future__ import annotations

import array
import math
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from py3langid.langid import LanguageIdentifier

# Below this many texts still walking, a step over arrays costs more than the plain loop for those left:
# a long post in a batch of short ones is finished alone.
MIN_STEP_TEXTS = 4


class BatchIdentifier:
    def __init__(self, identifier: LanguageIdentifier):
        self._nextmove = _indices(identifier.tk_nextmove)
        self._rowbase = _indices(identifier.tk_row) << 8
        self._output = np.asarray(identifier.tk_output, dtype=np.intp)
        self._features = np.asarray(identifier.nb_ptc, dtype=np.float32)  # (n-grams, languages)
        self._prior = np.asarray(identifier.nb_pc, dtype=np.float32)
        self.languages: list[str] = list(identifier.nb_classes)
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("restrict the identifier to languages without script aliases (srl/sr)")

    def classify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(language, probability) for each text, as py3langid's classify with norm_probs would give."""
        if not texts:
            return []
        encoded = [_encode(text) for text in texts]
        rows, ngrams = self._walk(encoded)
        probabilities = self._normalised(self._scores(len(texts), rows, ngrams), encoded)
        best = probabilities.argmax(axis=1)
        return [(self.languages[i], float(probabilities[n, i])) for n, i in enumerate(best.tolist())]

    def _walk(self, encoded: list[bytes]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """Every n-gram each text meets, as (text index, n-gram index) pairs."""
        lengths = np.fromiter((len(b) for b in encoded), dtype=np.intp, count=len(encoded))
        order = np.argsort(-lengths, kind="stable")  # the texts still walking are always the first ones
        longest_first = lengths[order]
        grid = _byte_grid([encoded[i] for i in order.tolist()], longest_first)
        walking = np.searchsorted(-longest_first, -np.arange(grid.shape[0]), side="left")  # texts longer than p
        few = np.flatnonzero(walking < MIN_STEP_TEXTS)
        steps = int(few[0]) if few.size else len(walking)
        states = np.zeros(len(encoded), dtype=np.intp)
        met = np.full(grid.shape, -1, dtype=np.intp)  # the n-gram each text completes at each byte, if any
        for position in range(steps):
            count = int(walking[position])
            states[:count] = self._nextmove.take(self._rowbase.take(states[:count]) + grid[position, :count])
            met[position, :count] = self._output.take(states[:count])
        byte, text = np.nonzero(met >= 0)
        rows, ngrams = [order[text]], [met[byte, text]]
        for index in range(int(walking[steps]) if steps < len(walking) else 0):
            tail = self._walk_one(int(states[index]), encoded[int(order[index])][steps:])
            rows.append(np.full(len(tail), order[index], dtype=np.intp))
            ngrams.append(np.asarray(tail, dtype=np.intp))
        return np.concatenate(rows), np.concatenate(ngrams)

    def _walk_one(self, state: int, data: bytes) -> list[int]:
        nextmove, rowbase, output = self._nextmove, self._rowbase, self._output
        found = []
        for byte in data:
            state = int(nextmove[rowbase[state] + byte])
            if output[state] >= 0:
                found.append(int(output[state]))
        return found

    def _scores(self, count: int, rows: npt.NDArray[np.intp], ngrams: npt.NDArray[np.intp]) -> npt.NDArray[np.float32]:
        """Naive Bayes log-posteriors: log(1 + times seen) times each n-gram's weights, plus the prior."""
        scores = np.zeros((count, len(self.languages)), dtype=np.float32)
        if rows.size == 0:
            return scores
        keys, seen = np.unique(rows * self._features.shape[0] + ngrams, return_counts=True)
        text, ngram = np.divmod(keys, self._features.shape[0])
        weighted = np.log1p(seen.astype(np.float32))[:, None] * self._features[ngram]
        starts = np.flatnonzero(np.r_[True, text[1:] != text[:-1]])  # keys are sorted: each text's run is contiguous
        scores[text[starts]] = np.add.reduceat(weighted, starts, axis=0) + self._prior
        return scores  # a text with no known n-gram keeps zeros: uniform, as py3langid abstains

    @staticmethod
    def _normalised(scores: npt.NDArray[np.float32], encoded: list[bytes]) -> npt.NDArray[np.float32]:
        # py3langid's calibration: a softmax at temperature sqrt(bytes), so long texts are not overconfident.
        temperature = np.array([1.0 / math.sqrt(len(b) or 1) for b in encoded], dtype=np.float32)
        scores = scores * temperature[:, None]
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def _indices(table: array.array[int]) -> npt.NDArray[np.intp]:
    return np.frombuffer(table, dtype=np.dtype(table.typecode)).astype(np.intp)


def _encode(text: str) -> bytes:
    """As py3langid encodes: all-capital text lowered, NFC, UTF-8 (lone surrogates kept)."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


def _byte_grid(encoded: list[bytes], lengths: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """Byte p of every text in row p (contiguous: a step reads one row), zeros past a text's end."""
    grid = np.zeros((int(lengths.max(initial=0)), len(encoded)), dtype=np.intp)
    flat = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    text = np.repeat(np.arange(len(encoded)), lengths)
    position = np.arange(flat.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    grid[position, text] = flat
    return grid
