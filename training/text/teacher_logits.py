"""Score every training row with a shipped model, for distilling a smaller student from it (train.py --teacher).

The teacher's raw encoder logits (before calibration) for all five labels: a row trains a label only where its
source annotates it (the masks), but the teacher has an opinion on all five, so the student also learns, say,
that an ordinary tweet of the hate corpora is no threat. Rows are tokenised exactly as train.py does (same
tokenizer, same max length), so the student imitates the teacher on the very inputs it sees.

Usage: python teacher_logits.py WORK_DIR TEACHER_MODEL_DIR [max_len]   (writes WORK/teacher_logits.npy)
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

BATCH = 16  # length-sorted batches: the int8 activation scale is per batch, a small effect here (<= 0.1 logit)


def session(model_dir: Path) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(model_dir / "text-classifier.int8.onnx"), opts, providers=["CPUExecutionProvider"])


def run(sess: ort.InferenceSession, rows: list[list[int]]) -> np.ndarray:
    ids = np.full((len(rows), max(len(r) for r in rows)), 1, dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = r
    out: np.ndarray = sess.run(["logits"], {"input_ids": ids, "attention_mask": (ids != 1).astype(np.int64)})[0]
    return out


def main() -> None:
    work, teacher = Path(sys.argv[1]), Path(sys.argv[2])
    max_len = int(sys.argv[3]) if len(sys.argv) > 3 else 80
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    if digest(work / "tokenizer.json") != digest(teacher / "tokenizer.json"):
        sys.exit("the teacher's tokenizer differs from WORK's: rebuild WORK with the teacher's vocabulary")
    texts = [json.loads(line)["text"] for line in (work / "train.jsonl").open(encoding="utf-8")]
    unique = sorted(set(texts))
    tok = Tokenizer.from_file(str(work / "tokenizer.json"))
    encoded = [[0, *e.ids[: max_len - 2], 2] for e in tok.encode_batch(unique, add_special_tokens=False)]
    order = sorted(range(len(unique)), key=lambda i: len(encoded[i]))
    chunks = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
    sessions = [session(teacher), session(teacher)]  # two runs at once, one core each
    logits = np.zeros((len(unique), 5), dtype=np.float32)
    t0 = time.time()

    def part(k: int) -> None:
        for chunk in chunks[k::2]:
            logits[chunk] = run(sessions[k], [encoded[i] for i in chunk])

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(part, range(2)))
    where = {t: i for i, t in enumerate(unique)}
    out = logits[[where[t] for t in texts]]
    np.save(work / "teacher_logits.npy", out)
    print(f"{len(texts)} rows ({len(unique)} distinct) scored in {time.time() - t0:.0f} s; "
          f"mean sigmoid per label {np.round(1 / (1 + np.exp(-out)), 3).mean(0).round(3).tolist()}")


if __name__ == "__main__":
    main()
