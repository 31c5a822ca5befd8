"""Fit the per-label calibration on dev data (int8 ONNX logits) and choose default thresholds.

Per label, two candidates, both Platt-style logistic fits on dev:
  plain:   p = sigmoid(a * encoder_logit + b)
  stacked: p = sigmoid(a * encoder_logit + c * ngram_logit + b)
The stacked one is kept only if its cross-fitted log-loss on dev is lower (fit on one half, scored on the
other). Threshold = the one maximising F1 on dev (hate: on the superset's own dev rows).
Dev = WORK/dev.jsonl plus dev/threat_dev.csv (66 handwritten threat/non-threat sentences) and the held-out threat sets
1-8 (USED_HELDOUT, 1,546 posts), both for the threat label only.
Usage: python calibrate.py WORK_DIR MODEL_DIR [route_below] [cascade_default 0/1]
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
LABELS = ("toxicity", "insult", "hate", "threat", "sexual_harassment")
HERE = Path(__file__).parent


MIN_POSITIVES = 20  # below this, dev is too small to fit freely: regularise and never stack


def fit(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    c = 1e4 if y.sum() >= MIN_POSITIVES else 1.0
    return LogisticRegression(C=c, max_iter=1000).fit(x, y)


def sig(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def prob(z: np.ndarray, a: float, b: float) -> np.ndarray:
    return sig(a * z + b)


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    idx = np.clip((p * bins).astype(int), 0, bins - 1)
    return float(sum(abs(p[idx == k].mean() - y[idx == k].mean()) * (idx == k).mean() for k in range(bins) if (idx == k).any()))


def best_threshold(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    best = (0.5, -1.0)
    for t in np.arange(0.05, 0.96, 0.01):
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        f1 = 2 * tp / max(1.0, pred.sum() + (y == 1).sum())
        if f1 > best[1]:
            best = (float(round(t, 2)), f1)
    return best


def crossfit(x: np.ndarray, y: np.ndarray, half: np.ndarray) -> tuple[float, float]:
    """Log-loss and ECE of predictions made by a fit on the other half."""
    p = np.zeros(len(y))
    for m in (half, ~half):
        p[~m] = fit(x[m], y[m]).predict_proba(x[~m])[:, 1]
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))), ece(p, y)


def fit_label(enc: np.ndarray, ng: np.ndarray, y: np.ndarray, pick: np.ndarray, stack: bool,
              rng: np.random.Generator) -> dict[str, float]:
    # Halves drawn within each class, so that both halves hold positives even when dev has only a few.
    half = np.zeros(len(y), bool)
    for cls in (0, 1):
        idx = np.flatnonzero(y == cls)
        half[idx[rng.permutation(len(idx)) < len(idx) // 2]] = True
    plain_x, stacked_x = enc[:, None], np.stack([enc, ng], 1)
    ll_plain, ece_plain = crossfit(plain_x, y, half)
    ll_stack, ece_stack = crossfit(stacked_x, y, half) if stack else (np.inf, np.inf)
    use_stack = ll_stack < ll_plain - 0.002 and y.sum() >= MIN_POSITIVES
    model = fit(stacked_x if use_stack else plain_x, y)
    if use_stack and (model.coef_ < 0).any():  # a negative weight would be an artefact: keep it simple
        use_stack, model = False, fit(plain_x, y)
    a, c = float(model.coef_[0, 0]), float(model.coef_[0, 1]) if use_stack else 0.0
    b = float(model.intercept_[0])
    t, f1 = best_threshold(sig(a * enc + c * ng + b)[pick], y[pick])
    if y.sum() < MIN_POSITIVES:  # a threshold tuned on a handful of positives is noise: use 0.5
        t = 0.5
    return {"a": a, "b": b, "c": c, "threshold": t, "dev_f1": float(f1), "stacked": bool(use_stack),
            "dev_logloss_crossfit_plain": ll_plain, "dev_logloss_crossfit_stacked": float(ll_stack),
            "dev_ece_crossfit": ece_stack if use_stack else ece_plain, "dev_n": len(y), "dev_pos": int(y.sum())}


def calibrate(enc: np.ndarray, ng: np.ndarray, rows: list[dict], stack: bool, seed: int = 13) -> dict[str, dict]:
    rng = np.random.default_rng(seed)
    y, m = np.array([r["y"] for r in rows]), np.array([r["m"] for r in rows]).astype(bool)
    # Hate threshold on the superset's own dev rows: French hate is the target there, and Davidson/MLMA
    # annotate "hate" differently. The probability fit still uses every annotated row.
    superset = np.array([r["source"] == "superset" for r in rows])
    # Thresholds are never chosen on our templated examples: a dev row from a template has siblings in train
    # (the same sentence, another target or spelling), so it is easier than real text. Choosing the threat
    # threshold with them gave 0.58 (2026-12-03), without them 0.42. Our freely written posts (source "posts")
    # have no siblings, and are the dev rows most like a town's feed: they count.
    independent = np.array([r["source"] != "handwritten" for r in rows])
    out = {}
    for j, label in enumerate(LABELS):
        sel = m[:, j]
        pick = superset[sel] if label == "hate" else independent[sel]
        out[label] = fit_label(enc[sel, j], ng[sel, j], y[sel, j], pick, stack, rng)
    return out


# Held-out threat sets 1-8, once tests, fit the threat label since 2026-12-06: 1,546 posts written by eight people
# who saw no training data are the best picture of a town's feed we have, and every later set stays a test
# (heldout/README.md). Set 9 and any set after it must never be listed here.
USED_HELDOUT = ("threat_heldout.csv", "threat_heldout_v2.csv", "threat_heldout_v3.csv", "threat_heldout_v4.csv",
                "threat_heldout_v5.csv", "threat_heldout_v6.csv", "threat_heldout_v7.csv", "threat_heldout_v8.csv")


def dev_rows(work: Path) -> list[dict]:
    from beffroi.analyzers.text.normalize import normalize
    rows = [json.loads(line) for line in (work / "dev.jsonl").open(encoding="utf-8")]
    extra = pd.concat([pd.read_csv(HERE / "dev" / "threat_dev.csv")]
                      + [pd.read_csv(HERE / "heldout" / name) for name in USED_HELDOUT])
    for text, threat in zip(extra.text, extra.threat):
        rows.append({"text": normalize(text).text, "source": "threat_dev", "y": [0, 0, 0, int(threat), 0],
                     "m": [0, 0, 0, 1, 0]})
    return rows


def version_stem(work: Path, model_dir: Path) -> str:
    """e5s6-ft-s3500: e5-small's first 6 layers, after 3,500 steps. From the checkpoint just trained, or, for a
    graph rewritten from a shipped one (static_scales.py), from the calibration.json it came with."""
    if (work / "ckpt.pt").exists():
        ckpt = __import__("torch").load(work / "ckpt.pt")
        return f"e5s{ckpt['layers']}-ft-s{ckpt['step']}"
    stem: str = json.loads((model_dir / "calibration.json").read_text())["model_version"].rsplit("-", 1)[0]
    return stem


def main() -> None:
    work, model_dir = Path(sys.argv[1]), Path(sys.argv[2])
    route = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
    cascade_default = len(sys.argv) > 4 and sys.argv[4] == "1"
    onnx = (model_dir / "text-classifier.int8.onnx").read_bytes()
    version = f"{version_stem(work, model_dir)}-{hashlib.sha256(onnx).hexdigest()[:8]}"
    identity = {label: {"a": 1.0, "b": 0.0, "threshold": 0.5} for label in LABELS}
    stage = {"file": "ngram_first_stage.npz", "labels": identity, "route_below": route, "enabled_by_default": False}
    cal_path = model_dir / "calibration.json"
    cal_path.write_text(json.dumps({"model_version": version, "max_len": 128, "labels": identity, "first_stage": stage}))
    from beffroi.analyzers.text.classifier import TextClassifier
    rows = dev_rows(work)
    texts = [r["text"] for r in rows]
    clf = TextClassifier.load(model_dir, cascade=False)
    enc, ng = clf.logits(texts), clf.ngram.logits(texts)
    labels = calibrate(enc, ng, rows, stack=True)
    first = calibrate(ng, np.zeros_like(ng), rows, stack=False)
    stage.update(labels=first, enabled_by_default=cascade_default)
    cal_path.write_text(json.dumps({"model_version": version, "max_len": 128, "labels": labels, "first_stage": stage}, indent=1))
    for label in LABELS:
        print(label, {k: round(v, 3) if isinstance(v, float) else v for k, v in labels[label].items()})
        print("   ngram", {k: round(v, 3) if isinstance(v, float) else v for k, v in first[label].items()})


if __name__ == "__main__":
    main()
