"""Merge the public sets and our handwritten examples into one multi-label table with per-label masks.

A source trains only the labels it annotates (mask 1); the rest are masked out.
Writes WORK/train.jsonl and WORK/dev.jsonl (dev = the superset's dev split + 8% of every other source).
Never reads fr_hate_superset_test.csv except to drop its texts from the other sources (MLMA-fr and
CyberAgressionAdo are components of the superset, so their rows may sit in its test split).
Usage: python prepare_data.py DATA_DIR WORK_DIR
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
from beffroi.analyzers.text.normalize import normalize

LABELS = ("toxicity", "insult", "hate", "threat", "sexual_harassment")
HERE = Path(__file__).parent
SEED = 13


def key(text: str) -> str:
    return " ".join(str(text).lower().split())


def rec(text: str, lang: str, source: str, **labels: int | None) -> dict[str, object]:
    """labels: 1/0 when annotated, None when the source says nothing about that label."""
    y = [int(labels.get(k) or 0) for k in LABELS]
    m = [int(labels.get(k) is not None) for k in LABELS]
    return {"text": normalize(str(text)).text, "lang": lang, "source": source, "y": y, "m": m}


def superset(data: Path, split: str, neutral: set[str]) -> list[dict[str, object]]:
    df = pd.read_csv(data / f"fr_hate_superset_{split}.csv")
    # Label 0 says "not hate", not "not toxic": toxicity is known for hateful rows, and for the
    # sexism component's label-0 rows (mostly news and #metoo discussion, read by hand: benign).
    return [rec(t, "fr", "superset", hate=int(l),
                toxicity=1 if l == 1 else (0 if key(t) in neutral else None))
            for t, l in zip(df.text, df.label)]


def sexism_negatives(data: Path) -> set[str]:
    full = pd.read_csv(data / "fr_hate_superset.csv")
    return {key(t) for t in full.text[(full.dataset == "sexism") & (full.labels == 0)]}


def mlma(data: Path, lang: str, banned: set[str]) -> list[dict[str, object]]:
    df = pd.read_csv(data / f"mlma_{lang}.csv")
    out = []
    for text, sent in zip(df.tweet, df.sentiment):
        if key(text) in banned:
            continue
        tags = set(str(sent).split("_"))
        toxic = bool(tags & {"offensive", "abusive", "hateful", "disrespectful"})
        out.append(rec(text, lang, f"mlma_{lang}", hate=int("hateful" in tags),
                       toxicity=1 if toxic else (0 if tags == {"normal"} else None)))
    return out


def cyberado(data: Path, banned: set[str]) -> list[dict[str, object]]:
    df = pd.read_csv(data / "cyberagressionado_v2.csv").fillna("")
    out = []
    for text, hate, abuse in zip(df.TEXT, df.HATE, df.VERBAL_ABUSE):
        if key(text) in banned or not str(text).strip():
            continue
        out.append(rec(text, "fr", "cyberado", toxicity=int(hate in ("OAG", "CAG")),
                       insult=int(abuse == "NCG"), threat=int(abuse == "THR")))
    return out


def davidson(data: Path, rng: random.Random) -> list[dict[str, object]]:
    df = pd.read_csv(data / "davidson_en.csv")
    # Keep every hate row, sample the rest: 25k mostly-offensive tweets would drown the French data.
    keep = (df[df["class"] != 1].index.tolist()  # every hate and every "neither" row
            + rng.sample(df[df["class"] == 1].index.tolist(), 4000))
    return [rec(df.tweet[i], "en", "davidson", toxicity=int(df["class"][i] in (0, 1)),
                hate=int(df["class"][i] == 0)) for i in sorted(keep)]


def handwritten(name: str = "handwritten_train.csv", source: str = "handwritten") -> list[dict[str, object]]:
    """Our examples. source "handwritten": filled from templates; "posts": each written freely as a whole post."""
    df = pd.read_csv(HERE / "examples" / name)
    return [rec(r.text, r.lang, source, **{k: int(getattr(r, k)) for k in LABELS})
            for r in df.itertuples()]


def split(rows: list[dict[str, object]], rng: random.Random, frac: float = 0.08) -> tuple[list, list]:
    idx = list(range(len(rows)))
    rng.shuffle(idx)
    n_dev = int(len(rows) * frac)
    return [rows[i] for i in idx[n_dev:]], [rows[i] for i in idx[:n_dev]]


def main() -> None:
    data, work = Path(sys.argv[1]), Path(sys.argv[2])
    rng = random.Random(SEED)
    test = pd.read_csv(data / "fr_hate_superset_test.csv")
    dev_sup = pd.read_csv(data / "fr_hate_superset_dev.csv")
    banned = {key(t) for t in list(test.text) + list(dev_sup.text)}
    neutral = sexism_negatives(data)
    train, dev = superset(data, "train", neutral), superset(data, "dev", neutral)
    for rows in (mlma(data, "fr", banned), mlma(data, "en", set()), cyberado(data, banned),
                 davidson(data, rng), handwritten(), handwritten("handwritten_posts2.csv"),
                 handwritten("handwritten_posts3.csv", source="posts")):
        # The posts of 2026-12-04 and 12-06 come last, each split on its own: every earlier source keeps its split.
        tr, dv = split(rows, rng)
        train += tr * (3 if rows[0]["source"] in ("handwritten", "posts") else 1)  # our examples are few: upweight
        dev += dv
    rng.shuffle(train)
    for name, rows in (("train", train), ("dev", dev)):
        with (work / f"{name}.jsonl").open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        print(name, len(rows), pd.Series([r["source"] for r in rows]).value_counts().to_dict())


if __name__ == "__main__":
    main()
