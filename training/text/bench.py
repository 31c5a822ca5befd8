"""End-to-end throughput and memory of TextClassifier.predict (normalise, tokenise, int8 ONNX, spans).

Texts: N tweets from fr_hate_superset_test.csv + the first 3000 of davidson_en.csv (real tweet lengths; a
harsh mix: most Davidson tweets are offensive, so many texts get flagged and explained).
Usage: python bench.py DATA_DIR MODEL_DIR [N] [threads]
"""
from __future__ import annotations

import random
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
from beffroi.analyzers.text.classifier import TextClassifier


def main() -> None:
    data, model_dir = Path(sys.argv[1]), Path(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    texts = list(pd.read_csv(data / "fr_hate_superset_test.csv").text) + list(pd.read_csv(data / "davidson_en.csv").tweet[:3000])
    random.Random(13).shuffle(texts)
    texts = texts[:n]
    chars = np.mean([len(t) for t in texts])
    print(f"{n} texts, mean {chars:.0f} chars, threads={threads}")
    modes = (False, True) if len(sys.argv) <= 5 else (sys.argv[5] == "1",)
    for cascade in modes:
        clf = TextClassifier.load(model_dir, threads=threads, cascade=cascade)
        clf.predict(texts[:64])  # warm-up
        for explain in (False, True):
            batch = texts if not explain else texts[: n // 5]  # explaining is slow: a fifth is enough
            t0, c0 = time.perf_counter(), time.process_time()
            preds = [p for i in range(0, len(batch), 256) for p in clf.predict(batch[i:i + 256], explain=explain)]
            el, cpu = time.perf_counter() - t0, time.process_time() - c0
            flagged = sum(bool(p.flagged) for p in preds)
            print(f"cascade={cascade} explain={explain}: {len(batch) / el:.1f} texts/s end-to-end on {len(batch)} "
                  f"({flagged / len(batch):.1%} flagged); CPU-bound estimate for {threads} free cores: "
                  f"{len(batch) / (cpu / threads):.1f} texts/s", flush=True)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
