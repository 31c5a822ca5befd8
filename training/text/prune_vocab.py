"""Keep only the sentencepiece pieces French and English text uses, and write the pruned tokenizer.

Kept: the 4 special pieces, every piece our training corpus produces, every one-character piece (so
any word can still be spelled out), and the best-scored Latin-script pieces up to --size in total.
Usage: python prune_vocab.py WORK_DIR [size]   (writes tokenizer.json, kept_ids.json)
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tokenizer_build import build

LATIN = re.compile(r"^▁?[a-zà-ÿœæç'’\-]+$")


def main() -> None:
    work = Path(sys.argv[1])
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 40000
    p = json.loads((work / "pieces.json").read_text())
    pieces: list[tuple[str, float]] = [tuple(x) for x in p["pieces"]]
    full = build(pieces, p["unk"])
    texts = [json.loads(line)["text"] for name in ("train.jsonl", "dev.jsonl")
             for line in (work / name).open(encoding="utf-8")]
    used = {0, 1, 2, 3}
    for enc in full.encode_batch(texts, add_special_tokens=False):
        used.update(enc.ids)
    print("used by corpus", len(used))
    used.update(i for i, (s, _) in enumerate(pieces) if len(s.lstrip("▁")) == 1 and len(s) <= 2)
    print("+ single chars", len(used))
    # Lower-case Latin pieces by score: the encoder sees lower-cased text (normalize.py).
    for i in sorted(range(len(pieces)), key=lambda j: -pieces[j][1]):
        if len(used) >= size:
            break
        if i > 3 and LATIN.match(pieces[i][0]):
            used.add(i)
    kept = sorted(used)
    tok = build([pieces[i] for i in kept], unk_id=kept.index(p["unk"]))
    tok.save(str(work / "tokenizer.json"))
    (work / "kept_ids.json").write_text(json.dumps(kept))
    print("kept", len(kept))
    sample = "on va lui couper la tête à ce maire"
    print(full.encode(sample, add_special_tokens=False).tokens, tok.encode(sample, add_special_tokens=False).tokens)


if __name__ == "__main__":
    main()
