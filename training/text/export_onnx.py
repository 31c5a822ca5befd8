"""Export the fine-tuned checkpoint to ONNX (logits output), quantise it to dynamic int8 and fuse its attention.

Usage: python export_onnx.py WORK_DIR MODEL_DIR   (writes MODEL_DIR/text-classifier.int8.onnx, tokenizer.json)
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import torch
from encoder import Classifier, Encoder
from fuse_attention import fuse_file
from onnxruntime.quantization import QuantType, quantize_dynamic


def load(work: Path) -> Classifier:
    ck = torch.load(work / "ckpt.pt")
    model = Classifier(Encoder(vocab=ck["vocab"], layers=ck["layers"], ff=ck.get("ff", 1536)), pool=ck.get("pool", "mean"))
    model.load_state_dict(ck["state_dict"])
    print("checkpoint step", ck["step"])
    return model.eval()


def main() -> None:
    work, model_dir = Path(sys.argv[1]), Path(sys.argv[2])
    model_dir.mkdir(parents=True, exist_ok=True)
    model = load(work)
    ids = torch.tensor([[0, 100, 200, 300, 2], [0, 100, 2, 1, 1]])
    mask = (ids != 1).long()
    fp32 = work / "model.fp32.onnx"
    torch.onnx.export(model, (ids, mask), str(fp32), input_names=["input_ids", "attention_mask"],
                      output_names=["logits"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                    "logits": {0: "batch"}})
    # Gather too: the 40k x 384 embedding table is most of the size.
    int8 = model_dir / "text-classifier.int8.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gather"])
    fuse_file(int8)  # one operator per attention block: same scores, faster on a tweet
    shutil.copy(work / "tokenizer.json", model_dir / "tokenizer.json")
    for p in sorted(model_dir.iterdir()):
        print(p.name, p.stat().st_size)


if __name__ == "__main__":
    main()
