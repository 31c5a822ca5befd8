"""Unlabelled multi-sentence posts for a student to learn the teacher's reading of context from.

Every student so far lost threat precision on realistic posts of two or three sentences, not on single sentences.
The training rows are mostly one sentence; here, posts of 2-3 training rows joined (half of them holding a row the
teacher scores as a threat), with no labels (masks all zero): only the teacher's probabilities train on them, so the
student copies how the teacher weighs a violent sentence among calm ones.

Usage: python posts_for_distillation.py WORK OUT_WORK N   (OUT_WORK: a copy of WORK whose train.jsonl gets N posts
appended; then teacher_logits.py OUT_WORK ..., and train.py OUT_WORK --teacher)
"""
from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

import numpy as np

SEED = 13
COPIED = ("tokenizer.json", "dev.jsonl", "kept_ids.json")


def posts(rows: list[dict], threats: list[int], n: int, rng: random.Random) -> list[dict]:
    out = []
    labels = len(rows[0]["y"])
    for _ in range(n):
        picked = [rng.randrange(len(rows)) for _ in range(rng.choice((2, 3)))]
        if threats and rng.random() < 0.5:
            picked[0] = rng.choice(threats)
        rng.shuffle(picked)
        text = " ".join(rows[i]["text"].strip() for i in picked)
        out.append({"text": text, "source": "distillation_post", "y": [0] * labels, "m": [0] * labels})
    return out


def main() -> None:
    work, out, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    rows = [json.loads(line) for line in (work / "train.jsonl").open(encoding="utf-8")]
    teacher = np.load(work / "teacher_logits.npy")  # the threat column says which rows the teacher calls threats
    if len(teacher) != len(rows):
        raise SystemExit(f"{len(teacher)} teacher rows for {len(rows)}: rerun teacher_logits.py on {work}")
    threats = [i for i, t in enumerate(teacher[:, 3]) if t > 0]
    out.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.copy(work / name, out / name)
    extra = posts(rows, threats, n, random.Random(SEED))
    with (out / "train.jsonl").open("w", encoding="utf-8") as f:
        for r in rows + extra:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    drawn = f"{len(threats)} teacher threats to draw from"
    print(f"{len(rows)} rows + {len(extra)} posts ({drawn}) -> {out / 'train.jsonl'}")


if __name__ == "__main__":
    main()
