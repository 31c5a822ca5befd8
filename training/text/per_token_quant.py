"""Rewrite a dynamic-int8 ONNX model so that each token's activations are quantised with their own scale.

onnxruntime's dynamic quantisation (DynamicQuantizeLinear) takes one scale for the whole activation tensor,
so a text run in a padded batch gets scores that depend on its neighbours (by up to 0.11 measured): the
runtime had to score texts one per run. Here every DynamicQuantizeLinear becomes a symmetric per-token
quantiser (scale = max |x| over the hidden axis / 127, zero point 128 so MatMulInteger keeps its fast
uint8 x int8 kernel). A token's integers then depend on that token alone, so a text scores the same alone or
in any batch, and batches of similar length can run together. The weights are untouched.

Usage: python per_token_quant.py IN.onnx OUT.onnx   (in place if OUT is IN)
"""

from __future__ import annotations

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SHARED = {  # constants every rewritten node reads
    "ptq_eps": np.array(1e-8, np.float32),
    "ptq_127": np.array(127.0, np.float32),
    "ptq_128": np.array(128.0, np.float32),
    "ptq_0": np.array(0.0, np.float32),
    "ptq_255": np.array(255.0, np.float32),
    "ptq_zero_point": np.array(128, np.uint8),
}


def per_token(node: onnx.NodeProto) -> list[onnx.NodeProto]:
    """Nodes computing (quantized, scale, zero point) of node's input, per token, under node's output names."""
    x = node.input[0]
    q, scale, zero_point = node.output
    p = node.name or x
    t = {k: f"{p}/ptq_{k}" for k in ("abs", "absmax", "floor", "div", "round", "shift", "clip")}
    return [
        helper.make_node("Abs", [x], [t["abs"]], name=t["abs"]),
        helper.make_node("ReduceMax", [t["abs"]], [t["absmax"]], name=t["absmax"], axes=[-1], keepdims=1),
        helper.make_node("Max", [t["absmax"], "ptq_eps"], [t["floor"]], name=t["floor"]),
        helper.make_node("Div", [t["floor"], "ptq_127"], [scale], name=f"{p}/ptq_scale"),
        helper.make_node("Div", [x, scale], [t["div"]], name=t["div"]),
        helper.make_node("Round", [t["div"]], [t["round"]], name=t["round"]),
        helper.make_node("Add", [t["round"], "ptq_128"], [t["shift"]], name=t["shift"]),
        helper.make_node("Clip", [t["shift"], "ptq_0", "ptq_255"], [t["clip"]], name=t["clip"]),
        helper.make_node("Cast", [t["clip"]], [q], name=f"{p}/ptq_cast", to=TensorProto.UINT8),
        helper.make_node("Identity", ["ptq_zero_point"], [zero_point], name=f"{p}/ptq_zero_point"),
    ]


def rescale_after(model: onnx.ModelProto, token_scales: set[str]) -> None:
    """MatMulInteger -> Cast -> Mul(scale_a * scale_w) becomes ... Mul(scale_w) -> Mul(scale_a): onnxruntime's
    extended optimisations fuse the first shape into MatMulIntegerToFloat, whose kernel reads a scale of one
    value per tensor (a per-token scale there gives wrong logits, by 1.5 on average measured). With the weight's
    scalar scale first, the fusion stays correct and the per-token scale is its own Mul."""
    producer = {out: node for node in model.graph.node for out in node.output}
    added: list[onnx.NodeProto] = []
    for node in model.graph.node:
        if node.op_type != "Mul" or len(node.input) != 2:
            continue
        scales = producer.get(node.input[1])
        if scales is None or scales.op_type != "Mul" or scales.input[0] not in token_scales:
            continue
        token_scale, weight_scale = scales.input
        out = node.output[0]
        node.input[1] = weight_scale
        node.output[0] = f"{out}/ptq_weight_scaled"
        added.append(helper.make_node("Mul", [node.output[0], token_scale], [out], name=f"{node.name}/ptq_token"))
    nodes = list(model.graph.node)
    for extra in added:  # right after the Mul it follows, so the graph stays in topological order
        nodes.insert(next(i for i, n in enumerate(nodes) if extra.input[0] in n.output) + 1, extra)
    del model.graph.node[:]
    model.graph.node.extend(n for n in nodes if not (n.op_type == "Mul" and n.input[0] in token_scales))


def rewrite(model: onnx.ModelProto) -> int:
    """Replace every DynamicQuantizeLinear in place, keeping the graph's order; returns how many."""
    nodes: list[onnx.NodeProto] = []
    token_scales: set[str] = set()
    for node in model.graph.node:
        if node.op_type == "DynamicQuantizeLinear":
            nodes.extend(per_token(node))
            token_scales.add(node.output[1])
        else:
            nodes.append(node)
    count = len(token_scales)
    if count:
        del model.graph.node[:]
        model.graph.node.extend(nodes)
        model.graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in SHARED.items())
        rescale_after(model, token_scales)
    return count


def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    model = onnx.load(src)
    count = rewrite(model)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print(f"{count} activation quantisers made per-token -> {dst}")


if __name__ == "__main__":
    main()
