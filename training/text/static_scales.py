"""Fixed activation scales: a batch-independent int8 graph, so the runtime may score texts in padded batches.

The exported graph quantises each matrix product's input with a scale computed on the run (onnxruntime's
DynamicQuantizeLinear over the whole batch), so a text's scores depend on the texts run with it. This script
replaces every DynamicQuantizeLinear with a QuantizeLinear whose scale and zero point are constants measured on
training texts, each run alone as the runtime ran them: per quantised tensor, the given percentile of the runs'
minima and maxima (100 keeps the widest range seen; lower ones clip the rare outliers to keep the resolution).
The weights are untouched. A text's logits then depend on the text alone, whatever it is batched with: the
script checks it on dev texts and refuses to write a graph that moved a logit by more than 0.01 between alone
and batched. It marks the graph `beffroi.batch_independent=1`: a runtime must see it before batching. (Tried on
2026-12-04: batching bought no speed end to end on AVX2 cores, so the shipped runtime still scores one text per run;
model card, "Speed, 2026-12-04".)

Usage: python static_scales.py WORK_DIR IN_MODEL_DIR OUT_MODEL_DIR [percentile] [calibration_texts]
OUT_MODEL_DIR gets the rewritten graph and copies of the other files; then run calibrate.py WORK OUT (the
logits move a little, so the Platt fits and thresholds are refitted) and evaluate.py.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer

BOS, PAD, EOS = 0, 1, 2
MAX_LEN = 128
MAX_BATCH_DIFF = 1e-2
SEED = 13


def session(model: onnx.ModelProto) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def ids_of(tokenizer: Tokenizer, texts: list[str]) -> list[list[int]]:
    return [[BOS, *e.ids[: MAX_LEN - 2], EOS] for e in tokenizer.encode_batch(texts, add_special_tokens=False)]


def ranges(model: onnx.ModelProto, rows: list[list[int]]) -> dict[str, np.ndarray]:
    """Per DynamicQuantizeLinear input: an array (runs, 2) of each run's minimum and maximum."""
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    names = [n.input[0] for n in probe.graph.node if n.op_type == "DynamicQuantizeLinear"]
    for name in names:
        probe.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    run = session(probe)
    seen: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for row in rows:
        ids = np.array([row], dtype=np.int64)
        values = run.run(names, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        for name, value in zip(names, values, strict=True):
            seen[name].append((float(value.min()), float(value.max())))
    return {name: np.array(v) for name, v in seen.items()}


def uint8_params(low: float, high: float) -> tuple[float, int]:
    """DynamicQuantizeLinear's own rule (the range always holds 0), applied to a fixed range."""
    low, high = min(low, 0.0), max(high, 0.0)
    scale = (high - low) / 255.0 or 1.0
    return scale, int(np.clip(round(-low / scale), 0, 255))


def rewrite(model: onnx.ModelProto, seen: dict[str, np.ndarray], percentile: float) -> onnx.ModelProto:
    out = onnx.ModelProto()
    out.CopyFrom(model)
    nodes = []
    for node in out.graph.node:
        if node.op_type != "DynamicQuantizeLinear":
            nodes.append(node)
            continue
        runs = seen[node.input[0]]
        scale, zero = uint8_params(float(np.percentile(runs[:, 0], 100 - percentile)),
                                   float(np.percentile(runs[:, 1], percentile)))
        quantized, scale_name, zero_name = node.output
        # The scale and zero point keep their names, so the products downstream read the constants unchanged.
        out.graph.initializer.extend([numpy_helper.from_array(np.array(scale, np.float32), scale_name),
                                      numpy_helper.from_array(np.array(zero, np.uint8), zero_name)])
        nodes.append(helper.make_node("QuantizeLinear", [node.input[0], scale_name, zero_name], [quantized],
                                      name=f"{node.name or quantized}_fixed"))
    del out.graph.node[:]
    out.graph.node.extend(nodes)
    onnx.helper.set_model_props(out, {"beffroi.batch_independent": "1",
                                      "beffroi.activation_percentile": str(percentile)})
    onnx.checker.check_model(out)
    return out


def logits_batched(run: ort.InferenceSession, rows: list[list[int]], size: int) -> np.ndarray:
    """Logits of rows in padded batches of size (1: each text alone, as the runtime scores it)."""
    out = []
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        ids = np.full((len(chunk), max(map(len, chunk))), PAD, dtype=np.int64)
        for i, row in enumerate(chunk):
            ids[i, : len(row)] = row
        out.append(run.run(["logits"], {"input_ids": ids, "attention_mask": (ids != PAD).astype(np.int64)})[0])
    return np.concatenate(out)


def main() -> None:
    work, source, target = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    percentile = float(sys.argv[4]) if len(sys.argv) > 4 else 100.0
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 4000
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    rng = np.random.default_rng(SEED)
    train = [json.loads(line)["text"] for line in (work / "train.jsonl").open(encoding="utf-8")]
    calibration = ids_of(tokenizer, [train[i] for i in rng.choice(len(train), count, replace=False)])
    dev = ids_of(tokenizer, [json.loads(line)["text"] for line in (work / "dev.jsonl").open(encoding="utf-8")])
    model = onnx.load(str(source / "text-classifier.int8.onnx"))
    fixed = rewrite(model, ranges(model, calibration), percentile)

    before, after = session(model), session(fixed)
    alone = logits_batched(after, dev, 1)
    moved = np.abs(alone - logits_batched(before, dev, 1))
    print(f"percentile {percentile}: logits against the dynamic graph on {len(dev)} dev texts, "
          f"mean |diff| {moved.mean():.4f}, max {moved.max():.3f}")
    # Batch independence, checked where it is hardest: unsorted batches, so short texts carry long padding.
    worst = max(float(np.abs(logits_batched(after, dev, size) - alone).max()) for size in (7, 32))
    if worst > MAX_BATCH_DIFF:
        raise SystemExit(f"batched logits differ from alone by {worst:.2g} (> {MAX_BATCH_DIFF}); nothing written")
    print(f"alone against batched (7, 32 unsorted): max |diff| {worst:.2g}")
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.name != "text-classifier.int8.onnx":
            shutil.copy2(path, target / path.name)
    onnx.save(fixed, str(target / "text-classifier.int8.onnx"))
    print("written", target / "text-classifier.int8.onnx")


if __name__ == "__main__":
    main()
