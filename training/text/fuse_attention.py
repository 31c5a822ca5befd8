"""Replace each layer's attention (reshape, transpose, two products, softmax, transpose, reshape: about 45 small
operators) with onnxruntime's MultiHeadAttention operator, in the int8 graph.

Why: on a tweet, onnxruntime spends as long dispatching those small operators as computing them; one fused operator
per layer ran 10-17% more texts/s on 2 AVX2 cores (docs/models/text-classifier.md, "Speed"). The query, key and value
projections stay the quantised products they were, so a text's scores do not move (checked here on every write:
at most 1e-4 on single texts, the runtime's scoring path).

Usage: python fuse_attention.py MODEL_DIR   (fuses MODEL_DIR/text-classifier.int8.onnx in place and renames the model
version in calibration.json, whose last part is the graph's hash). export_onnx.py calls fuse() on every export.
"""
from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

MASK = "attention_mask_int32"
MAX_DIFF = 1e-4


class Graph:
    """Producer and consumer lookups over an ONNX graph, and the constant value of a tensor."""

    def __init__(self, graph: onnx.GraphProto) -> None:
        self.graph = graph
        self.producer = {o: n for n in graph.node for o in n.output}
        self.consumers: dict[str, list[onnx.NodeProto]] = {}
        for n in graph.node:
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)
        self.inits = {i.name: i for i in graph.initializer}

    def parent(self, node: onnx.NodeProto, index: int, op: str) -> onnx.NodeProto:
        found = self.producer.get(node.input[index])
        if found is None or found.op_type != op:
            raise ValueError(f"{node.name}: input {index} is not made by a {op}")
        return found

    def only_child(self, node: onnx.NodeProto, op: str) -> onnx.NodeProto:
        found = self.consumers.get(node.output[0], [])
        if len(found) != 1 or found[0].op_type != op:
            raise ValueError(f"{node.name}: output is not read by exactly one {op}")
        return found[0]

    def constant(self, name: str) -> np.ndarray:
        if name in self.inits:
            return numpy_helper.to_array(self.inits[name])
        node = self.producer[name]
        if node.op_type != "Constant":
            raise ValueError(f"{name} is not a constant")
        return numpy_helper.to_array(node.attribute[0].t)


def attention_block(g: Graph, softmax: onnx.NodeProto) -> tuple[list[str], str, int]:
    """The projected query, key and value, the context tensor and the head count of the attention around softmax,
    as the PyTorch export in encoder.py writes it: softmax(q k^T / sqrt(d) + mask) v, heads split and merged."""
    add = g.parent(softmax, 0, "Add")
    div = g.parent(add, 0, "Div")
    head_dim = round(float(g.constant(div.input[1])) ** 2)
    scores = g.parent(div, 0, "MatMul")
    projected = []
    for index in (0, 1):  # query, key: Transpose(Reshape(projection))
        projected.append(g.parent(g.parent(scores, index, "Transpose"), 0, "Reshape").input[0])
    weighted = g.only_child(softmax, "MatMul")
    projected.append(g.parent(g.parent(weighted, 1, "Transpose"), 0, "Reshape").input[0])
    context = g.only_child(g.only_child(weighted, "Transpose"), "Reshape").output[0]
    hidden = hidden_size(g, projected[0])
    if hidden % head_dim or not math.isclose(head_dim ** 0.5, float(g.constant(div.input[1])), rel_tol=1e-5):
        raise ValueError(f"{softmax.name}: scale {g.constant(div.input[1])} is not 1/sqrt of a head size")
    return projected, context, hidden // head_dim


def hidden_size(g: Graph, projected: str) -> int:
    """The width of a projection: its bias, the initializer input of the Add that makes it."""
    add = g.producer[projected]
    for name in add.input:
        if name in g.inits:
            return int(numpy_helper.to_array(g.inits[name]).shape[-1])
    raise ValueError(f"{projected}: no bias initializer to read the hidden size from")


def fuse(model: onnx.ModelProto) -> int:
    """Rewrite every attention block of model in place; returns how many were fused."""
    g = Graph(model.graph)
    blocks = [attention_block(g, n) for n in model.graph.node if n.op_type == "Softmax"]
    if not blocks:
        return 0
    fused = [helper.make_node("Cast", ["attention_mask"], [MASK], to=onnx.TensorProto.INT32, name="mask_int32")]
    for layer, (projected, context, heads) in enumerate(blocks):
        # The old chain's last node gives up its output; dropping what no longer feeds the logits removes the chain.
        g.producer[context].output[0] = context + "_unfused"
        fused.append(helper.make_node("MultiHeadAttention", [*projected, "", MASK], [context], domain="com.microsoft",
                                      num_heads=heads, name=f"attention_{layer}"))
    model.graph.node.extend(fused)
    keep_needed(model.graph)
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return len(blocks)


def keep_needed(graph: onnx.GraphProto) -> None:
    """Drop the nodes, initializers and shape records that no graph output depends on; keep topological order."""
    producer = {o: n for n in graph.node for o in n.output}
    needed: set[str] = set()
    stack = [o.name for o in graph.output]
    while stack:
        name = stack.pop()
        if name in needed:
            continue
        needed.add(name)
        if name in producer:
            stack.extend(producer[name].input)
    ready = {i.name for i in graph.input} | {i.name for i in graph.initializer} | {""}
    pending = [n for n in graph.node if any(o in needed for o in n.output)]
    ordered: list[onnx.NodeProto] = []
    while pending:
        later = [n for n in pending if not all(i in ready for i in n.input)]
        if len(later) == len(pending):
            raise ValueError(f"graph has a cycle or a missing input near {later[0].name}")
        for n in pending:
            if n not in later:
                ordered.append(n)
                ready.update(n.output)
        pending = later
    nodes = [onnx.NodeProto.FromString(n.SerializeToString()) for n in ordered]  # detached copies
    del graph.node[:]
    graph.node.extend(nodes)
    for field in (graph.initializer, graph.value_info):
        live = [x for x in field if x.name in needed]
        del field[:]
        field.extend(live)


def largest_difference(before: bytes, after: bytes, vocab: int) -> float:
    """Largest logit difference between two graphs over single texts of 1-128 tokens, as the runtime scores them."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    a, b = (ort.InferenceSession(m, opts, providers=["CPUExecutionProvider"]) for m in (before, after))
    rng = np.random.default_rng(13)
    worst = 0.0
    for length in (1, 2, 5, 17, 37, 80, 128):
        ids = rng.integers(3, vocab, (1, length)).astype(np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        worst = max(worst, float(np.abs(a.run(["logits"], feed)[0] - b.run(["logits"], feed)[0]).max()))
    return worst


def fuse_file(path: Path) -> str:
    """Fuse the graph at path in place, refusing to write one whose scores moved; returns its new short hash."""
    before = path.read_bytes()
    model = onnx.load_from_string(before)
    vocab = int(Graph(model.graph).inits["encoder.word.weight_quantized"].dims[0])
    count = fuse(model)
    after = model.SerializeToString()
    if count:
        diff = largest_difference(before, after, vocab)
        if diff > MAX_DIFF:
            raise SystemExit(f"fused graph moved a logit by {diff:.2g} (> {MAX_DIFF}); {path} left as it was")
        path.write_bytes(after)
        print(f"{path}: {count} attention blocks fused, logits within {diff:.1g}")
    return hashlib.sha256(after).hexdigest()[:8]


def main() -> None:
    model_dir = Path(sys.argv[1])
    digest = fuse_file(model_dir / "text-classifier.int8.onnx")
    cal_path = model_dir / "calibration.json"
    cal = json.loads(cal_path.read_text())
    cal["model_version"] = cal["model_version"].rsplit("-", 1)[0] + "-" + digest
    cal_path.write_text(json.dumps(cal, indent=1))
    print("model version", cal["model_version"])


if __name__ == "__main__":
    main()
