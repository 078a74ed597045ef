#!/usr/bin/env bash
# Trains the robust digit classifiers of docs/audio.md in one run on a GPU machine, all at once (small
# models: one GPU runs them side by side): by synthesizer (espeak-ng only, flite only) and on both, each
# with raw and with window-mean-normalised features (--cmn), plus a larger model on both.
# OUT gets run.log, one <name>.log per model and models.tar.gz (every model folder with metrics.json).
# Usage: scripts/training/gpu_train_robust.sh DATA.npz OUT_DIR [SECONDS]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data=$1; out=$2; secs=${3:-200}
work=$(mktemp -d)
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total --format=csv > "$out/run.log" 2>&1
train() {
  local name=$1; shift
  python3 "$here/train_robust_classifier.py" "$data" "$work/$name" --seconds "$secs" "$@" > "$out/$name.log" 2>&1
}
train espeak --train espeak-ng-train &
train flite --train flite-train &
train both --train espeak-ng-train,flite-train &
train espeak-cmn --train espeak-ng-train --cmn &
train flite-cmn --train flite-train --cmn &
train both-cmn --train espeak-ng-train,flite-train --cmn &
train both-cmn-big --train espeak-ng-train,flite-train --cmn --hidden 96 --layers 4 &
wait
tar -C "$work" -czf "$out/models.tar.gz" .
echo "done" >> "$out/run.log"
