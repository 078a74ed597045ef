#!/usr/bin/env bash
# Trains both audio models in one run on a GPU machine within a fixed time budget, then measures the batched
# generation step. OUT gets few files: run.log, bench.json and models.tar.gz (both model folders with
# their metrics.json and parity fixtures).
# Usage: scripts/training/gpu_train_all.sh DATA.npz OUT_DIR [CLASSIFIER_SECONDS] [GENERATOR_SECONDS]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data=$1; out=$2; cls_s=${3:-60}; gen_s=${4:-100}
work=$(mktemp -d)
mkdir -p "$out"
log="$out/run.log"
nvidia-smi --query-gpu=name,memory.total --format=csv > "$log" 2>&1
python3 "$here/train_digit_classifier.py" "$data" "$work/digit-classifier" --seconds "$cls_s" >> "$log" 2>&1
tar -C "$work" -czf "$out/models.tar.gz" digit-classifier
python3 "$here/train_mulaw_generator.py" "$data" "$work/mulaw-generator" --seconds "$gen_s" >> "$log" 2>&1
tar -C "$work" -czf "$out/models.tar.gz" digit-classifier mulaw-generator
python3 "$here/bench_generator_step.py" "$work/mulaw-generator" "$out/bench.json" --budget 15 >> "$log" 2>&1
echo "done" >> "$log"
