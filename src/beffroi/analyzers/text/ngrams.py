"""Hashed character n-gram features and the linear first stage that scores them (numpy only).

The same code builds the features at training time, so the shipped weights and the runtime agree.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

BUCKETS = 1 << 18
N_RANGE = (2, 5)

FloatArray = npt.NDArray[np.float32]


def feature_arrays(text: str) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """L2-normalised, sublinear counts of char 2..5-grams hashed into BUCKETS (crc32 is stable)."""
    padded = f" {text} ".encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    grams = [padded[i : i + n] for n in range(N_RANGE[0], N_RANGE[1] + 1) for i in range(len(padded) - n + 1)]
    hashes = np.fromiter((zlib.crc32(g.encode("utf-8")) for g in grams), dtype=np.int64, count=len(grams))
    idx, counts = np.unique(hashes & (BUCKETS - 1), return_counts=True)
    weights = (1.0 + np.log(counts)).astype(np.float32)
    return idx, weights / (float(np.linalg.norm(weights)) or 1.0)


def features(text: str) -> dict[int, float]:
    idx, val = feature_arrays(text)
    return dict(zip(idx.tolist(), val.tolist(), strict=True))


class NgramModel:
    """One logistic regression per label over hashed n-grams: fast, weak on context."""

    def __init__(self, coef: FloatArray, intercept: FloatArray) -> None:
        self.coef = coef  # (BUCKETS, n_labels)
        self.intercept = intercept

    @classmethod
    def load(cls, path: Path) -> NgramModel:
        with np.load(path) as data:
            return cls(data["coef"].astype(np.float32), data["intercept"].astype(np.float32))

    def logits(self, texts: Sequence[str]) -> FloatArray:
        out = np.tile(self.intercept, (len(texts), 1))
        for row, text in enumerate(texts):
            idx, val = feature_arrays(text)
            out[row] += val @ self.coef[idx]
        return out
