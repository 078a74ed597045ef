#!/usr/bin/env bash
# mamba_ssm (github state-spaces/mamba) next to ScanFlow's CUDA backend, in one run on one GPU, on the same
# weights. The GPU machine needs an NVIDIA driver and python3 with torch (Triton comes with it), transformers
# and safetensors; it needs no network and no compiler.
#
#   scripts/mamba-ssm-peer.sh pack DIR MAMBA_SRC     on a build machine: MAMBA_SRC is a checkout of
#                                                    state-spaces/mamba; DIR also gets the CUDA bench pack
#   DIR/mamba-ssm-peer.sh run DIR RESULTS            on the GPU machine (SCANFLOW_JAVA: another java)
#
# `pack` copies mamba_ssm's Python sources (its Triton kernels need no build) and einops (Debian's
# python3-einops, in case the GPU machine lacks it) into DIR/py, and the Java side (scripts/cuda-bench.sh pack)
# into DIR. `run` probes what the machine offers (nvcc, mamba_ssm's compiled extensions), saves the benchmark
# checkpoints (scripts/hf_bench.py), runs CudaBench's step and prefill sections and
# scripts/mamba_ssm_bench.py, and writes RESULTS/peer.md (both sides) with the raw JSON and logs.
# The compiled parts of mamba_ssm (Mamba-1's selective_scan_cuda, causal-conv1d) are not built here: where
# the machine has no CUDA toolkit they cannot be, and the tables say which rows lack them.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,17p' "$0"; exit 2; }

pack() {
    local src=${3:?MAMBA_SRC: a checkout of state-spaces/mamba}
    local root
    root=$(cd "$(dirname "$0")/.." && pwd)
    "$root/scripts/cuda-bench.sh" pack "$dir"
    rm -rf "$dir/py"
    mkdir -p "$dir/py"
    cp -r "$src/mamba_ssm" "$dir/py/"
    find "$dir/py" -name '__pycache__' -prune -exec rm -rf {} +
    git -C "$src" rev-parse HEAD > "$dir/py/MAMBA_COMMIT" 2>/dev/null || echo "unknown (not a git checkout)" > "$dir/py/MAMBA_COMMIT"
    # einops is pure Python; Debian packages it from trixie on (arch-independent), so fetch it from there with
    # a private apt state that leaves the system's sources alone.
    local deb
    deb=$(mktemp -d)
    mkdir -p "$deb/lists/partial" "$deb/cache/archives/partial"
    echo "deb http://deb.debian.org/debian trixie main" > "$deb/sources.list"
    local apt=(-o Dir::Etc::SourceList="$deb/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o Dir::State::Lists="$deb/lists" -o Dir::Cache="$deb/cache")
    apt-get -qq "${apt[@]}" update
    (cd "$deb" && apt-get -qq "${apt[@]}" download python3-einops 2>/dev/null && dpkg-deb -x python3-einops_*.deb x)
    cp -r "$deb"/x/usr/lib/python3/dist-packages/einops "$dir/py/"
    rm -rf "$deb"
    cp "$root/scripts/mamba_ssm_bench.py" "$root/scripts/mamba-ssm-peer.sh" "$root/scripts/peer_tables.py" "$dir/"
    du -sh "$dir"
}

run() {
    local results=${3:?results folder}
    mkdir -p "$results"
    results=$(cd "$results" && pwd)
    exec > >(tee "$results/run.log") 2>&1
    local work=${SCANFLOW_BENCH_WORK:-/tmp/scanflow-bench}
    mkdir -p "$work"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
    date -u +"run started %Y-%m-%d %H:%M UTC"
    echo "nvcc: $(command -v nvcc || ls /usr/local/cuda*/bin/nvcc 2>/dev/null || echo none)"
    echo "mamba_ssm commit: $(cat "$dir/py/MAMBA_COMMIT")"
    # einops from the pack only where the machine has none.
    local pypath=$dir/py
    python3 -c 'import einops' 2>/dev/null && pypath=$work/py-no-einops && rm -rf "$pypath" && mkdir -p "$pypath" \
        && ln -s "$dir/py/mamba_ssm" "$pypath/mamba_ssm"
    set +e
    echo "== checkpoints (HF, random weights at the benchmark shapes)"
    python3 "$dir/hf_bench.py" "$work/models" "$results/hf.json" models > "$results/hf.log" 2>&1
    echo "exit $?"
    echo "== ScanFlow: CudaBench step and prefill"
    local cp
    cp=$(ls "$dir"/lib/*.jar | grep -v console-standalone | tr '\n' ':')
    timeout 300 "${SCANFLOW_JAVA:-$dir/jre/bin/java}" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx24g \
        -Dscanflow.models="$dir/models" -cp "$cp" io.scanflow.kernels.cuda.CudaBench "$work/models" \
        "$results/hf.json" "$results/bench.md" step,prefill > "$results/bench.log" 2>&1
    echo "exit $?"
    echo "== mamba_ssm"
    PYTHONPATH=$pypath timeout 400 python3 "$dir/mamba_ssm_bench.py" "$work/models" "$results/mamba_ssm.json" \
        ${SCANFLOW_PEER_SECTIONS:-probe,parity,step,ssd,prefill} > "$results/mamba_ssm.log" 2>&1
    echo "exit $?"
    cat "$results/mamba_ssm.log"
    set -e
    python3 "$dir/peer_tables.py" "$results" > "$results/peer.md"
    cat "$results/peer.md"
}

case "$cmd" in
    pack) pack "$@" ;;
    run) run "$@" ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
esac
