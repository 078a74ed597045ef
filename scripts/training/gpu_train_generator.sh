#!/usr/bin/env bash
# Trains the mu-law generator on a packed corpus (pack_corpus.py --generator-only) in one GPU call within a
# fixed time budget. Needs only python3 with torch and numpy. OUT gets run.log and mulaw-generator/ (the
# model folder with metrics.json, train_level_counts included, and the parity fixtures).
# Usage: scripts/training/gpu_train_generator.sh DATA.npz OUT_DIR SECONDS [train_mulaw_generator.py options...]
#   e.g. ... /tmp/gen-corpus.npz OUT 200 --init models/mulaw-generator --lr 1e-3   (continue the shipped model)
# PYTHON names the interpreter (default python3).
set -euo pipefail
if [ $# -lt 3 ]; then
    sed -n '2,7p' "$0" >&2
    exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data=$1; out=$2; seconds=$3; shift 3
python=${PYTHON:-python3}
mkdir -p "$out"
log="$out/run.log"
"$python" -c 'import torch, numpy; print("torch", torch.__version__, "cuda", torch.cuda.is_available())' > "$log" 2>&1
nvidia-smi --query-gpu=name,memory.total --format=csv >> "$log" 2>&1 || echo "no nvidia-smi" >> "$log"
"$python" "$here/train_mulaw_generator.py" "$data" "$out/mulaw-generator" --seconds "$seconds" "$@" >> "$log" 2>&1
echo "done" >> "$log"
tail -n 3 "$log"
