#!/usr/bin/env bash
# `make train`: rebuilds the text classifier from ../shared/data and the CSVs here, in training/text/work/.
# Artifacts land in training/text/work/model/; copy them to src/beffroi/analyzers/text/model/ to ship a model.
set -euo pipefail
cd "$(dirname "$0")"
D=${BEFFROI_TRAINING_DATA:-../../../shared/data/text}
W=work
M=$W/model
mkdir -p "$W" "$M"
[ -d "$D" ] || { echo "training data not found at $D: set BEFFROI_TRAINING_DATA" >&2; exit 2; }
python convert_e5.py $W
python verify_e5.py $W
python examples/make_examples.py
python prepare_data.py "$D" $W
python prune_vocab.py $W 40000
python train_baseline.py $W $M/ngram_first_stage.npz
# BEFFROI_TRAIN_BF16=1: bfloat16 autocast, for CPUs with AMX (the shipped model; 24 min there against ~35-50 in float32)
python train.py $W --steps "${BEFFROI_TRAIN_STEPS:-3500}" --max-len 80 --save-every 500 --keep ${BEFFROI_TRAIN_BF16:+--bf16}
python export_onnx.py $W $M
python calibrate.py $W $M 0.05
python evaluate.py "$D" $W $M $W/eval.json
python bench.py "$D" $M 1000 2
