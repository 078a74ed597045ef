#!/usr/bin/env bash
# Compiles kernels/src/main/cuda/scanflow.cu into the fatbin the jar carries (sm_80 and sm_90 machine code
# plus compute_90 PTX for newer GPUs) and records the hash of the sources it was built from.
#
#   kernels/build-fatbin.sh             rebuild (needs nvcc)
#   kernels/build-fatbin.sh --check     exit 1 when the committed fatbin does not match the sources
#   kernels/build-fatbin.sh --if-stale  rebuild only when stale; stale without nvcc is an error
#
# The source hash is sha256 over the lines "<sha256>  <path>" of every .cu/.cuh file and of this script
# (so changed flags count as changed sources), sorted by path; FatbinTest recomputes it in Java, so a
# build without nvcc still refuses a fatbin that does not match its sources.
set -euo pipefail
cd "$(dirname "$0")"

OUT=src/main/resources/io/scanflow/kernels/cuda
FATBIN=$OUT/scanflow.fatbin
RECORD=$OUT/scanflow.fatbin.sha256
ARCHS=(-gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90)

sha() {
    if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

source_hash() {
    sha src/main/cuda/*.cu src/main/cuda/*.cuh build-fatbin.sh | LC_ALL=C sort -k2 | sha | cut -d' ' -f1
}

recorded_hash() {
    [ -f "$RECORD" ] && sed -n 's/^sources //p' "$RECORD" || true
}

fresh() {
    [ -f "$FATBIN" ] && [ "$(recorded_hash)" = "$(source_hash)" ]
}

build() {
    command -v nvcc >/dev/null || { echo "build-fatbin: nvcc not found" >&2; exit 1; }
    mkdir -p "$OUT" target
    nvcc -fatbin -O3 -std=c++17 "${ARCHS[@]}" -Xptxas -v -o "$FATBIN" src/main/cuda/scanflow.cu \
        2> target/ptxas-report.txt || { cat target/ptxas-report.txt >&2; exit 1; }
    {
        echo "sources $(source_hash)"
        echo "fatbin $(sha "$FATBIN" | cut -d' ' -f1)"
        echo "nvcc $(nvcc --version | tail -n 2 | head -n 1)"
    } > "$RECORD"
    echo "build-fatbin: wrote $FATBIN ($(wc -c < "$FATBIN") bytes); ptxas report in kernels/target/ptxas-report.txt"
}

case "${1:-}" in
    --check)
        fresh || { echo "build-fatbin: $FATBIN is stale: run kernels/build-fatbin.sh where nvcc exists" >&2; exit 1; }
        ;;
    --if-stale)
        if ! fresh; then
            if command -v nvcc >/dev/null; then
                build
            else
                echo "build-fatbin: $FATBIN does not match the CUDA sources and nvcc is missing here;" \
                     "run kernels/build-fatbin.sh where nvcc exists and commit the result" >&2
                exit 1
            fi
        fi
        ;;
    "")
        build
        ;;
    *)
        echo "usage: $0 [--check|--if-stale]" >&2
        exit 2
        ;;
esac
