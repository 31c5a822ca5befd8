"""Char n-gram logistic regression per label (the baseline and the cascade's first stage).

Usage: python train_baseline.py WORK_DIR OUT_NPZ
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
from beffroi.analyzers.text.ngrams import BUCKETS, features

LABELS = ("toxicity", "insult", "hate", "threat", "sexual_harassment")


def matrix(texts: list[str]) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for r, t in enumerate(texts):
        for k, v in features(t).items():
            rows.append(r); cols.append(k); vals.append(v)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), BUCKETS), dtype=np.float32)


def main() -> None:
    work, out = Path(sys.argv[1]), Path(sys.argv[2])
    rows = [json.loads(line) for line in (work / "train.jsonl").open(encoding="utf-8")]
    x = matrix([r["text"] for r in rows])
    y, m = np.array([r["y"] for r in rows]), np.array([r["m"] for r in rows])
    coef = np.zeros((BUCKETS, len(LABELS)), dtype=np.float32)
    intercept = np.zeros(len(LABELS), dtype=np.float32)
    for j, label in enumerate(LABELS):
        sel = m[:, j] == 1
        clf = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
        clf.fit(x[sel], y[sel, j])
        coef[:, j], intercept[j] = clf.coef_[0], clf.intercept_[0]
        print(label, int(sel.sum()), "examples", int(y[sel, j].sum()), "positive", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, coef=coef.astype(np.float16), intercept=intercept)


if __name__ == "__main__":
    main()
