"""Fine-tune the first 6 layers of e5-small (pruned vocabulary) as a 5-label multi-label classifier.

Loss: binary cross-entropy over the labels each example's source annotates (masks from prepare_data.py).
With --teacher (a student distilled from a shipped model, WORK/teacher_logits.npy from teacher_logits.py), plus
--distill times the cross-entropy against the teacher's probabilities on all five labels of every row.
With --init (prune_ffn.py's narrower copy of a shipped model), training starts from that checkpoint instead of e5.
With --repeat SOURCE=N, that source's rows are read N times per pass (the superset, to fit French hate better).
With --pool meanmax, the head reads the tokens' mean and maximum (encoder.py), not their mean alone.
Usage: python train.py WORK_DIR --steps N [--layers 6 --batch 32 --max-len 96 --teacher --distill 1.0 --init PT
                                         --repeat superset=2 --pool meanmax]
Writes WORK/ckpt.pt (every --save-every steps and at the end) and logs progress to stdout.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from encoder import LABELS, Classifier, Encoder
from tokenizers import Tokenizer

SEED = 13


Row = tuple[list[int], list[int], list[int], list[float]]  # ids, labels, mask, teacher logits (zeros if none)


def load_rows(path: Path, tok: Tokenizer, max_len: int, teacher: np.ndarray | None = None,
              repeat: dict[str, int] | None = None) -> list[Row]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    if repeat:  # --repeat: more passes over one source's rows, in a shuffled order the seed fixes
        if teacher is not None:
            raise SystemExit("--repeat and --teacher together are not supported: the teacher rows follow train.jsonl")
        unknown = set(repeat) - {r["source"] for r in rows}
        if unknown:
            raise SystemExit(f"--repeat names no source of {path}: {sorted(unknown)}; its sources: "
                             f"{sorted({r['source'] for r in rows})}")
        rows += [r for n in range(1, max(repeat.values())) for r in rows if repeat.get(r["source"], 1) > n]
        random.Random(SEED).shuffle(rows)
    if teacher is not None and len(teacher) != len(rows):
        raise SystemExit(f"{len(teacher)} teacher rows for {len(rows)} in {path}: rerun teacher_logits.py")
    encs = tok.encode_batch([r["text"] for r in rows], add_special_tokens=False)
    soft = teacher.tolist() if teacher is not None else [[0.0] * len(LABELS)] * len(rows)
    return [([0] + e.ids[: max_len - 2] + [2], r["y"], r["m"], t) for e, r, t in zip(encs, rows, soft)]


def batches(rows: list, batch: int, rng: random.Random) -> list[list]:
    """Group similar lengths together (less padding), then shuffle the batch order."""
    idx = list(range(len(rows)))
    rng.shuffle(idx)
    chunks = [sorted(idx[i:i + batch * 50], key=lambda j: len(rows[j][0])) for i in range(0, len(idx), batch * 50)]
    out = [c[i:i + batch] for c in chunks for i in range(0, len(c), batch)]
    rng.shuffle(out)
    return [[rows[j] for j in b] for b in out]


def collate(b: list) -> tuple[torch.Tensor, ...]:
    width = max(len(r[0]) for r in b)
    ids = torch.full((len(b), width), 1, dtype=torch.long)
    mask = torch.zeros((len(b), width), dtype=torch.long)
    for i, r in enumerate(b):
        ids[i, : len(r[0])] = torch.tensor(r[0])
        mask[i, : len(r[0])] = 1
    labels, masks, soft = (torch.tensor([r[k] for r in b], dtype=torch.float) for k in (1, 2, 3))
    return ids, mask, labels, masks, soft


def load_dev(path: Path, tok: Tokenizer, max_len: int) -> list[tuple[str, Row]]:
    sources = [json.loads(line)["source"] for line in path.open(encoding="utf-8")]
    return list(zip(sources, load_rows(path, tok, max_len)))


def best_f1(scores: np.ndarray, truth: np.ndarray) -> float:
    order = np.argsort(-scores)
    hits = np.cumsum(truth[order])
    precision, recall = hits / np.arange(1, len(order) + 1), hits / max(1, truth.sum())
    return float(np.max(2 * precision * recall / np.maximum(precision + recall, 1e-9)))


@torch.no_grad()
def dev_report(model: Classifier, dev: list) -> str:
    """Best-threshold F1 on dev for the figures we chase (superset hate, threat): a guide to pick a checkpoint."""
    model.eval()
    logits = []
    for i in range(0, len(dev), 64):
        ids, mask, *_ = collate([r for _, r in dev[i:i + 64]])
        logits.append(model(ids, mask).numpy())
    model.train()
    out, parts = np.concatenate(logits), []
    y = np.array([r[1] for _, r in dev]); m = np.array([r[2] for _, r in dev])
    sup = np.array([s == "superset" for s, _ in dev])
    parts.append(f"superset hate F1 {best_f1(out[sup, 2], y[sup, 2]):.3f}")
    for j, name in enumerate(("toxicity", "insult", "hate", "threat")):
        keep = m[:, j] == 1
        parts.append(f"{name} F1 {best_f1(out[keep, j], y[keep, j]):.3f}")
    return ", ".join(parts)


def repeat_arg(text: str) -> tuple[str, int]:
    source, _, times = text.partition("=")
    if not source or not times.isdigit() or int(times) < 1:
        raise argparse.ArgumentTypeError(f"wants SOURCE=N with N a whole number >= 1 (superset=2), not {text!r}")
    return source, int(times)


def build_model(work: Path, layers: int, pool: str = "mean") -> Classifier:
    ck = torch.load(work / "e5_full.pt")
    kept = torch.tensor(json.loads((work / "kept_ids.json").read_text()))
    sd = {k: v for k, v in ck["state_dict"].items() if not k.startswith("layers.") or int(k.split(".")[1]) < layers}
    sd["word.weight"] = sd["word.weight"][kept].clone()
    enc = Encoder(vocab=len(kept), layers=layers)
    enc.load_state_dict(sd)
    return Classifier(enc, pool=pool)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("work", type=Path)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--max-len", type=int, default=96)
    ap.add_argument("--lr", type=float, default=6e-5)
    ap.add_argument("--save-every", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="also keep every saved checkpoint as ckpt-STEP.pt")
    ap.add_argument("--teacher", action="store_true", help="distil from WORK/teacher_logits.npy (teacher_logits.py)")
    ap.add_argument("--distill", type=float, default=1.0, help="weight of the teacher's term against the labels' (1)")
    ap.add_argument("--init", type=Path, help="start from this checkpoint (prune_ffn.py's WORK/init.pt), not e5")
    ap.add_argument("--pool", choices=("mean", "meanmax"), default="mean",
                    help="how the head reads the tokens: their mean, or their mean and their maximum (encoder.py)")
    ap.add_argument("--repeat", action="append", default=[], metavar="SOURCE=N", type=repeat_arg,
                    help="read SOURCE's training rows N times per pass (for example superset=2)")
    ap.add_argument("--bf16", action="store_true", help="bfloat16 autocast, for CPUs with AMX (measured: 56 examples/s against 47 in float32)")
    a = ap.parse_args()
    random.seed(SEED); np.random.seed(SEED); torch.manual_seed(SEED)
    torch.set_num_threads(a.threads)
    tok = Tokenizer.from_file(str(a.work / "tokenizer.json"))
    teacher = np.load(a.work / "teacher_logits.npy") if a.teacher else None
    rows = load_rows(a.work / "train.jsonl", tok, a.max_len, teacher, dict(a.repeat))
    ff = 1536
    if a.init:
        init = torch.load(a.init)
        ff, a.layers = init["ff"], init["layers"]
        if init.get("pool", "mean") != a.pool:  # the head's width follows the pooling: it cannot change here
            raise SystemExit(f"{a.init} was trained with --pool {init.get('pool', 'mean')}, not {a.pool}")
        model = Classifier(Encoder(vocab=init["vocab"], layers=a.layers, ff=ff), pool=a.pool)
        model.load_state_dict(init["state_dict"])
    else:
        model = build_model(a.work, a.layers, a.pool)
    dev = load_dev(a.work / "dev.jsonl", tok, a.max_len)
    head = [p for n, p in model.named_parameters() if n.startswith("head")]
    body = [p for n, p in model.named_parameters() if not n.startswith("head")]
    opt = torch.optim.AdamW([{"params": body, "lr": a.lr}, {"params": head, "lr": a.lr * 20}], weight_decay=0.01)
    warm = max(1, a.steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (a.steps - s) / max(1, a.steps - warm))))
    rng = random.Random(SEED)
    model.train()
    step, t0, run = 0, time.time(), 0.0
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    while step < a.steps:
        for b in batches(rows, a.batch, rng):
            ids, mask, y, m, t = collate(b)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
                logits = model(ids, mask).float()
            loss = (bce(logits, y, reduction="none") * m).sum() / m.sum().clamp(min=1)
            if a.teacher:  # every label of every row, against the teacher's probability
                loss = loss + a.distill * bce(logits, torch.sigmoid(t))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); sched.step(); step += 1
            run = 0.98 * run + 0.02 * loss.item() if step > 1 else loss.item()
            if step % 20 == 0:
                el = time.time() - t0
                print(f"step {step}/{a.steps} loss {run:.4f} {step * a.batch / el:.1f} ex/s elapsed {el / 60:.1f} min", flush=True)
            if step % a.save_every == 0 or step == a.steps:
                saved = {"state_dict": model.state_dict(), "layers": a.layers, "ff": ff, "step": step,
                         "vocab": model.encoder.word.num_embeddings, "pool": model.pool}
                torch.save(saved, a.work / "ckpt.pt")
                if a.keep:
                    torch.save(saved, a.work / f"ckpt-{step}.pt")
                    print(f"dev at step {step}: {dev_report(model, dev)}", flush=True)
            if step >= a.steps:
                break
    print(f"done {step} steps in {(time.time() - t0) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
