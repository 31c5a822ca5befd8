"""Start a narrower student from a shipped model: its own weights, fewer feed-forward units per layer.

Depth was tried first (3 and 4 of e5's layers, distilled): faster, but threat precision fell on realistic posts. Here
every layer stays and each keeps the FF_UNITS units of its feed-forward block that carry the most on training rows
(mean |GELU activation| times the norm of the unit's outgoing weights). The weights come from the shipped int8 graph,
dequantised, so the student starts as the teacher minus the units dropped; train.py --init then distils it.

Usage: python prune_ffn.py WORK_DIR TEACHER_MODEL_DIR FF_UNITS   (writes WORK/init.pt for train.py --init)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from encoder import Classifier, Encoder
from onnx import numpy_helper
from tokenizers import Tokenizer

SAMPLE = 2000  # training rows to measure the units on
MODULES = ("q", "k", "v", "ao", "fi", "fo")


def dequantised(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    """Every int8 weight of the graph as float32, named like encoder.py's state dict."""
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}

    def real(quantized: str) -> np.ndarray:
        base = quantized.removesuffix("_quantized")
        q = inits[quantized].astype(np.float32)
        return (q - inits[base + "_zero_point"].astype(np.float32)) * inits[base + "_scale"].astype(np.float32)

    sd = {name: value for name, value in inits.items() if value.dtype == np.float32 and "." in name}
    sd = {k: v for k, v in sd.items() if not k.endswith("_scale")}
    sd["encoder.word.weight"] = real("encoder.word.weight_quantized")
    sd["encoder.pos.weight"] = real("encoder.pos.weight_quantized")
    for node in model.graph.node:
        if node.op_type != "MatMulInteger":
            continue
        weight = real(node.input[1]).T  # ONNX MatMul is x @ W; nn.Linear stores W transposed
        if node.name.startswith("/head/"):
            sd["head.weight"] = weight
        else:
            layer, module = node.name.split("/")[2:4]  # /encoder/layers.0/q/MatMul_quant
            sd[f"encoder.{layer}.{module}.weight"] = weight
    # The export folded the token-type embedding (one type) into a constant added to every position.
    folded = inits.get("onnx::Add_691")
    if folded is None:
        raise SystemExit("no folded token-type constant in the graph: is this encoder.py's export?")
    sd["encoder.tok_type.weight"] = np.stack([folded, np.zeros_like(folded)])
    return sd


def teacher(model_dir: Path) -> Classifier:
    sd = dequantised(onnx.load(str(model_dir / "text-classifier.int8.onnx")))
    layers = 1 + max(int(k.split(".")[2]) for k in sd if k.startswith("encoder.layers."))
    model = Classifier(Encoder(vocab=sd["encoder.word.weight"].shape[0], layers=layers))
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()})
    if missing or unexpected:
        raise SystemExit(f"weights missing {missing}, unexpected {unexpected}")
    return model.eval()


@torch.no_grad()
def importance(model: Classifier, rows: list[list[int]]) -> list[torch.Tensor]:
    """Per layer, per feed-forward unit: mean |activation| over real tokens, times its outgoing weight norm."""
    sums = [torch.zeros(layer.fi.out_features) for layer in model.encoder.layers]
    count = 0
    hooks = []
    for j, layer in enumerate(model.encoder.layers):
        def hook(_m: torch.nn.Module, _i: object, out: torch.Tensor, j: int = j) -> None:
            sums[j] += torch.nn.functional.gelu(out).abs().sum((0, 1))
        hooks.append(layer.fi.register_forward_hook(hook))
    for r in rows:
        ids = torch.tensor([r])
        model(ids, torch.ones_like(ids))
        count += len(r)
    for h in hooks:
        h.remove()
    return [s / count * layer.fo.weight.norm(dim=0) for s, layer in zip(sums, model.encoder.layers, strict=True)]


def prune(model: Classifier, scores: list[torch.Tensor], units: int) -> Classifier:
    enc = model.encoder
    small = Classifier(Encoder(vocab=enc.word.num_embeddings, layers=len(enc.layers), ff=units))
    sd = model.state_dict()
    for j, s in enumerate(scores):
        keep = torch.sort(torch.topk(s, units).indices).values
        p = f"encoder.layers.{j}."
        sd[p + "fi.weight"] = sd[p + "fi.weight"][keep].clone()
        sd[p + "fi.bias"] = sd[p + "fi.bias"][keep].clone()
        sd[p + "fo.weight"] = sd[p + "fo.weight"][:, keep].clone()
        share = float(s[keep].sum() / s.sum())
        print(f"layer {j}: kept {units} of {len(s)} units, {share:.1%} of the importance")
    small.load_state_dict(sd)
    return small


@torch.no_grad()
def check(model: Classifier, model_dir: Path, rows: list[list[int]]) -> None:
    """The dequantised PyTorch copy must score like the int8 graph (up to the graph's activation rounding)."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(model_dir / "text-classifier.int8.onnx"), providers=["CPUExecutionProvider"])
    diffs = []
    for r in rows:
        ids = np.array([r], dtype=np.int64)
        ours = model(torch.from_numpy(ids), torch.ones(1, len(r), dtype=torch.long)).numpy()
        diffs.append(np.abs(ours - sess.run(["logits"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]))
    mean, worst = float(np.mean(diffs)), float(np.max(diffs))
    print(f"dequantised teacher against the int8 graph: mean |logit difference| {mean:.3f}, at most {worst:.3f}")
    if mean > 0.3:
        raise SystemExit("the PyTorch copy does not reproduce the graph: names or layout changed")


def main() -> None:
    work, model_dir, units = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    torch.manual_seed(13)
    model = teacher(model_dir)
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    texts = [json.loads(line)["text"] for line in (work / "train.jsonl").open(encoding="utf-8")]
    picked = np.random.default_rng(13).choice(len(texts), SAMPLE, replace=False)
    rows = [[0, *e.ids[:78], 2] for e in tok.encode_batch([texts[i] for i in picked], add_special_tokens=False)]
    check(model, model_dir, rows[:50])
    small = prune(model, importance(model, rows), units)
    torch.save({"state_dict": small.state_dict(), "layers": len(small.encoder.layers), "ff": units,
                "vocab": small.encoder.word.num_embeddings, "from": model_dir.name}, work / "init.pt")
    print(f"-> {work / 'init.pt'}")


if __name__ == "__main__":
    main()
