"""Accuracy and speed of the `language` analyzer on real French and English posts (one core).

Run: python bench/language_eval.py [--data ../shared/data/text] [--english 2000]
Posts go to the analyzer in batches of the worker's default size, as in the pipeline.
French: the French hate superset's test split; English: the first N Davidson et al. tweets. Prints accuracy
overall, on posts under 60 characters, by confidence band, and posts per second. If the lingua package is
installed (it is not a dependency), it is measured the same way for comparison.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from beffroi.analyzers.base import AnalyzerContext
from beffroi.analyzers.language import LANGUAGES, LanguageAnalyzer
from beffroi.domain import Author, Item, Source
from beffroi.settings import Settings

WORKER_BATCH = Settings().worker_batch_size  # the analyzer sees posts as a worker hands them over
BANDS = ((0.0, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 0.99), (0.99, 1.01))


def load(data: Path, english: int) -> list[tuple[str, str]]:
    with (data / "fr_hate_superset_test.csv").open(encoding="utf-8") as f:
        french = [("fr", row["text"]) for row in csv.DictReader(f)]
    with (data / "davidson_en.csv").open(encoding="utf-8") as f:
        tweets = [("en", row["tweet"]) for row in csv.DictReader(f)][:english]
    return french + tweets


def beffroi_analyzer() -> Callable[[list[str]], list[tuple[str, float]]]:
    analyzer = LanguageAnalyzer(AnalyzerContext(Settings()))
    analyzer.prepare()

    def run(texts: list[str]) -> list[tuple[str, float]]:
        now = datetime.now(UTC)
        items = [Item(f"t{i}", "s", Author("a"), Source("bench", str(i)), t, None, now) for i, t in enumerate(texts)]
        batches = [items[i : i + WORKER_BATCH] for i in range(0, len(items), WORKER_BATCH)]
        return [(s[0].label.removeprefix("language."), s[0].score) for b in batches for s in analyzer.analyze(b)]

    return run


def lingua_detector() -> Callable[[list[str]], list[tuple[str, float]]] | None:
    try:
        from lingua import IsoCode639_1, LanguageDetectorBuilder
    except ImportError:
        return None
    codes = [getattr(IsoCode639_1, code.upper()) for code in LANGUAGES]
    detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models().build()

    def run(texts: list[str]) -> list[tuple[str, float]]:
        best = [detector.compute_language_confidence_values(text)[0] for text in texts]
        return [(b.language.iso_code_639_1.name.lower(), b.value) for b in best]

    return run


def report(name: str, run: Callable[[list[str]], list[tuple[str, float]]], posts: list[tuple[str, str]]) -> None:
    texts = [text for _, text in posts]
    start = time.perf_counter()
    found = run(texts)
    elapsed = time.perf_counter() - start
    right = [code == gold for (code, _), (gold, _) in zip(found, posts, strict=True)]
    short = [ok for ok, text in zip(right, texts, strict=True) if len(text) < 60]
    print(
        f"{name}: {sum(right) / len(right):.3f} right on {len(right):,} posts, {sum(short) / len(short):.3f} on the "
        f"{len(short):,} under 60 characters; {len(texts) / elapsed:,.0f} posts/s"
    )
    for low, high in BANDS:
        band = [ok for ok, (_, score) in zip(right, found, strict=True) if low <= score < high]
        if band:
            share = sum(band) / len(band)
            print(f"  confidence {low:.2f} to {min(high, 1.0):.2f}: {len(band):5,} posts, {share:.3f} right")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/text")
    parser.add_argument("--english", type=int, default=2000)
    args = parser.parse_args()
    posts = load(args.data, args.english)
    report("beffroi language analyzer (py3langid)", beffroi_analyzer(), posts)
    lingua = lingua_detector()
    if lingua is not None:
        report("lingua, same languages, high accuracy", lingua, posts)


if __name__ == "__main__":
    main()
