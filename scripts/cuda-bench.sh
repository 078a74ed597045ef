#!/usr/bin/env bash
# The CUDA backend's proof on a GPU machine: the GPU tests, then the benchmarks next to HF transformers, in
# one go, printing markdown tables. The GPU machine needs an NVIDIA driver, python3 with torch and
# transformers, and nothing else: `pack` builds everything Java needs into one folder (a jlink'ed Java
# runtime, the jars, the kernels' fatbin inside the kernels jar, the fixtures, the Python peer).
#
#   scripts/cuda-bench.sh pack DIR              on a build machine (JDK 17 + Maven; nvcc optional)
#   DIR/cuda-bench.sh run DIR RESULTS [quick|generate|scan|prefill|gemm]   on the GPU machine, from a checkout root or anywhere
#
# RESULTS receives tests.log, hf.json, bench.md and run.log. `quick` runs the tests and a short benchmark;
# `generate` runs the generation and engine tests (CudaGenerateTest, CudaBundleReplayTest, CudaAvailabilityTest,
# GenerationLoopTest) and the generation and DNA benchmarks (no Python);
# `scan` runs the kernel and parity tests with each prefill scan (auto, sequential, segments of 8 tokens) and the copy, scan and prefill
# benchmarks (no Python); `prefill` runs the kernel and parity tests, HF's checkpoints and prefill timings, and
# the copy, dense-layer, benchmark-scale parity and prefill benchmarks (the prefill ratio against HF in one run;
# SCANFLOW_PROFILE=1 adds each kernel's share of one mamba-130m 8 x 2048 prefill, from Nsight Compute); `gemm`
# runs the GEMM accuracy test and the dense-layer table once per 128 x 128 tile kernel named in
# SCANFLOW_GEMM_KERNELS (default tf32x3_nt_128), and saves their SASS where cuobjdump exists.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,16p' "$0"; exit 2; }

pack() {
    local root
    root=$(cd "$(dirname "$0")/.." && pwd)
    mkdir -p "$dir/lib"
    (cd "$root" && mvn -q -pl kernels,benchmarks -am package dependency:build-classpath -DskipTests \
        -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime)
    rm -f "$dir"/lib/*.jar
    cp "$root"/model/target/scanflow-model-*-tests.jar "$dir/lib/model-tests.jar"
    cp "$(ls "$root"/model/target/scanflow-model-*.jar | grep -v -e tests -e javadoc -e sources)" "$dir/lib/model.jar"
    cp "$(ls "$root"/kernels/target/scanflow-kernels-*.jar | grep -v -e tests -e javadoc -e sources)" "$dir/lib/kernels.jar"
    jar cf "$dir/lib/kernels-tests.jar" -C "$root/kernels/target/test-classes" .
    # CudaBench lives in the benchmarks module's test classes (its package is the CUDA backend's).
    jar cf "$dir/lib/benchmarks-tests.jar" -C "$root/benchmarks/target/test-classes" io/scanflow/kernels
    tr ':' '\n' < "$root/kernels/target/classpath.txt" | while read -r j; do
        case "$(basename "$j")" in
            jackson-*|jcuda-12*) cp "$j" "$dir/lib/" ;;
            jcuda-natives-*linux-x86_64*)
                # Only the driver library is used: leave out the PTX compiler (24 MB) and NVRTC.
                cp "$j" "$dir/lib/"
                zip -q -d "$dir/lib/$(basename "$j")" 'lib/libJNvPTXCompiler*' 'lib/libJNvrtc*' || true ;;
        esac
    done
    (cd "$root" && mvn -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.11.4 \
        -DoutputDirectory="$dir/lib")
    if [ ! -x "$dir/jre/bin/java" ]; then
        local jdk
        jdk=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
        "$jdk/bin/jlink" --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.incubator.vector \
            --strip-debug --no-header-files --no-man-pages --compress=2 --output "$dir/jre"
    fi
    rm -rf "$dir/testdata"
    mkdir -p "$dir/testdata"
    cp -r "$root/testdata/models" "$dir/testdata/"
    rm -rf "$dir/models"
    mkdir -p "$dir/models"
    cp -r "$root/models/mulaw-generator" "$root/models/dna-apes" "$dir/models/"
    cp "$root/scripts/hf_bench.py" "$root/scripts/cuda-bench.sh" "$dir/"
    du -sh "$dir"
}

run() {
    local results=${3:?results folder}
    local quick=${4:-}
    mkdir -p "$results"
    exec > >(tee "$results/run.log") 2>&1
    local java=("$dir/jre/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC)
    local cp
    cp=$(ls "$dir"/lib/*.jar | grep -v console-standalone | tr '\n' ':')
    local work=${SCANFLOW_BENCH_WORK:-/tmp/scanflow-bench}
    mkdir -p "$work"
    java+=(-Dscanflow.models="$dir/models")
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv || true
    if [ "$quick" = scan ]; then
        local t0 v
        set +e
        for v in ${SCANFLOW_SCAN_TESTS:-auto sequential split8}; do
            echo "== kernel and parity tests, scan $v"
            t0=$SECONDS
            local props=(-Dscanflow.cuda.scan=$v)
            [ $v = split8 ] && props=(-Dscanflow.cuda.scan=auto -Dscanflow.cuda.scan-segment=8)
            timeout 200 "${java[@]}" -Xmx8g "${props[@]}" -Dscanflow.testdata="$dir/testdata" \
                -jar "$dir"/lib/junit-platform-console-standalone-*.jar execute --class-path "$cp" \
                --select-class io.scanflow.kernels.cuda.CudaKernelsTest \
                --select-class io.scanflow.kernels.cuda.CudaParityTest --details=tree --disable-banner \
                --disable-ansi-colors > "$results/tests-$v.log" 2>&1
            echo "tests exit $? ($((SECONDS - t0)) s)"
            grep -E "cuda-parity|tests (successful|failed|skipped|aborted)|containers failed|✘|expected" \
                "$results/tests-$v.log" | head -40
        done
        echo "== scan and prefill benchmarks"
        t0=$SECONDS
        timeout 240 "${java[@]}" -Xmx24g -cp "$cp" io.scanflow.kernels.cuda.CudaBench "$work/models" "$results/hf.json" \
            "$results/bench.md" ${SCANFLOW_SCAN_SECTIONS:-copy,scan,prefill} > "$results/bench.log" 2>&1
        echo "bench exit $? ($((SECONDS - t0)) s)"
        grep -E "failed|Exception|section|Caused|at io" "$results/bench.log" | head -20
        if command -v ncu >/dev/null && [ -n "${SCANFLOW_PROFILE:-}" ]; then
            echo "== profile of the scans at mamba-130m, batch ${SCANFLOW_PROFILE_SHAPE:-64x2048}"
            timeout 150 ncu --clock-control none --target-processes all -k regex:"m1_scan_(fwd|sum)" \
                --launch-count ${SCANFLOW_PROFILE_LAUNCHES:-3} --section SpeedOfLight --section WarpStateStats --section SchedulerStats \
                --section Occupancy --section InstructionStats "${java[@]}" -Xmx8g \
                -Dscanflow.bench.scanOnly=mamba-130m/${SCANFLOW_PROFILE_SHAPE:-64x2048} -cp "$cp" io.scanflow.kernels.cuda.CudaBench \
                "$work/models" "$results/hf.json" "$results/profile.md" copy,scan > "$results/ncu.txt" 2>&1
            echo "ncu exit $?"
        fi
        set -e
        echo "== tables"
        cat "$results/bench.md" 2>/dev/null || true
        return
    fi
    if [ "$quick" = gemm ]; then
        local t0 v
        set +e
        if command -v cuobjdump >/dev/null; then
            python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
                "$dir/lib/kernels.jar" io/scanflow/kernels/cuda/scanflow.fatbin > "$work/scanflow.fatbin" \
                && cuobjdump -sass -arch sm_90 "$work/scanflow.fatbin" > "$results/sass.txt" 2>&1
        fi
        for v in ${SCANFLOW_GEMM_KERNELS:-tf32x3_nt_128}; do
            echo "== $v: GEMM accuracy test and dense layers"
            t0=$SECONDS
            timeout 120 "${java[@]}" -Xmx8g -Dscanflow.cuda.gemm-big-tile=$v -Dscanflow.testdata="$dir/testdata" \
                -jar "$dir"/lib/junit-platform-console-standalone-*.jar execute --class-path "$cp" \
                --select-method io.scanflow.kernels.cuda.CudaKernelsTest#gemmMatchesFloat64ReferenceOnEveryPath \
                --details=tree --disable-banner --disable-ansi-colors > "$results/tests-$v.log" 2>&1
            echo "tests exit $? ($((SECONDS - t0)) s)"
            grep -E "gemm |tests (successful|failed)|✘|expected" "$results/tests-$v.log" | head -10
            timeout 120 "${java[@]}" -Xmx24g -Dscanflow.cuda.gemm-big-tile=$v -cp "$cp" io.scanflow.kernels.cuda.CudaBench \
                "$work/models" "$results/hf.json" "$results/bench-$v.md" gemm > "$results/bench-$v.log" 2>&1
            echo "bench exit $? ($((SECONDS - t0)) s)"
            grep -E "in_proj, 8x2048|out_proj \||LM head" "$results/bench-$v.md"
        done
        set -e
        return
    fi
    if [ "$quick" = prefill ]; then
        local t0=$SECONDS
        set +e
        echo "== kernel and parity tests"
        timeout 240 "${java[@]}" -Xmx8g -Dscanflow.testdata="$dir/testdata" \
            -jar "$dir"/lib/junit-platform-console-standalone-*.jar execute --class-path "$cp" \
            --select-class io.scanflow.kernels.cuda.CudaKernelsTest --select-class io.scanflow.kernels.cuda.CudaParityTest \
            --details=tree --disable-banner --disable-ansi-colors > "$results/tests.log" 2>&1
        echo "tests exit $? ($((SECONDS - t0)) s)"
        grep -E "cuda-parity|gemm |tests (successful|failed|skipped|aborted)|containers failed|✘|expected" \
            "$results/tests.log" | head -60
        echo "== HF transformers checkpoints and prefill (PyTorch float32)"
        t0=$SECONDS
        PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error timeout 330 \
            python3 "$dir/hf_bench.py" "$work/models" "$results/hf.json" models,prefill
        echo "python exit $? ($((SECONDS - t0)) s)"
        echo "== dense-layer and prefill benchmarks"
        t0=$SECONDS
        timeout 200 "${java[@]}" -Xmx24g -cp "$cp" io.scanflow.kernels.cuda.CudaBench "$work/models" "$results/hf.json" \
            "$results/bench.md" copy,gemm,check,prefill > "$results/bench.log" 2>&1
        echo "bench exit $? ($((SECONDS - t0)) s)"
        grep -E "failed|Exception|section|Caused|at io" "$results/bench.log" | head -20
        if command -v ncu >/dev/null && [ -n "${SCANFLOW_PROFILE:-}" ]; then
            echo "== time per kernel of one mamba-130m prefill, 8 x 2048 tokens (Nsight Compute, each kernel alone)"
            timeout 200 ncu --clock-control none --target-processes all --metrics gpu__time_duration.sum \
                --print-summary per-kernel "${java[@]}" -Xmx8g -cp "$cp" io.scanflow.kernels.cuda.CudaBench \
                "$work/models" "$results/hf.json" "$results/profile.md" breakdown > "$results/ncu.txt" 2>&1
            echo "ncu exit $?"
        fi
        set -e
        echo "== tables"
        cat "$results/bench.md" 2>/dev/null || true
        return
    fi
    if [ "$quick" = generate ]; then
        echo "== on-device generation and engine tests"
        local t0=$SECONDS
        set +e
        timeout 200 "${java[@]}" -Xmx8g -Dscanflow.testdata="$dir/testdata" \
            -jar "$dir"/lib/junit-platform-console-standalone-*.jar execute --class-path "$cp" \
            --select-class io.scanflow.kernels.cuda.CudaGenerateTest --select-class io.scanflow.kernels.cuda.CudaBundleReplayTest \
            --select-class io.scanflow.kernels.cuda.CudaAvailabilityTest --select-class io.scanflow.kernels.GenerationLoopTest \
            --details=tree --disable-banner --disable-ansi-colors > "$results/tests.log" 2>&1
        echo "tests exit $? ($((SECONDS - t0)) s)"
        grep -E "cuda-generate|tests (successful|failed|skipped|aborted)|containers failed|✘|Exception|expected" \
            "$results/tests.log" | head -60
        echo "== generation and DNA benchmarks"
        t0=$SECONDS
        timeout 240 "${java[@]}" -Xmx24g -cp "$cp" io.scanflow.kernels.cuda.CudaBench "$work/models" "$results/hf.json" \
            "$results/bench.md" copy,generate,dna > "$results/bench.log" 2>&1
        echo "bench exit $? ($((SECONDS - t0)) s)"
        grep -E "failed|Exception|section|Caused|at io" "$results/bench.log" | head -20
        if command -v ncu >/dev/null && [ -n "${SCANFLOW_PROFILE:-}" ]; then
            echo "== profile of one m1_generate launch (2048 slots, 100 steps)"
            timeout 150 ncu --clock-control none --target-processes all -k m1_generate --launch-count 1 \
                --section SpeedOfLight --section WarpStateStats --section SchedulerStats --section Occupancy \
                --section MemoryWorkloadAnalysis "${java[@]}" -Xmx8g -cp "$cp" io.scanflow.kernels.cuda.CudaBench \
                "$work/models" "$results/hf.json" "$results/profile.md" profile > "$results/ncu.txt" 2>&1
            echo "ncu exit $?"
        fi
        set -e
        echo "== tables"
        cat "$results/bench.md" 2>/dev/null || true
        return
    fi
    echo "== GPU tests"
    local t0=$SECONDS
    set +e
    timeout 300 "${java[@]}" -Xmx8g -Dscanflow.testdata="$dir/testdata" \
        -jar "$dir"/lib/junit-platform-console-standalone-*.jar execute --class-path "$cp" \
        --select-class io.scanflow.kernels.cuda.CudaKernelsTest --select-class io.scanflow.kernels.cuda.CudaParityTest \
        --select-class io.scanflow.kernels.cuda.CudaGenerateTest \
        --select-class io.scanflow.kernels.cuda.CudaAvailabilityTest --details=tree --disable-banner --disable-ansi-colors > "$results/tests.log" 2>&1
    echo "tests exit $? ($((SECONDS - t0)) s)"
    grep -E "cuda-parity|cuda device|error message example|tests (successful|failed|skipped|aborted)|containers failed|✘" \
        "$results/tests.log" | head -60
    if [ "$quick" = quick ]; then
        timeout 150 python3 "$dir/hf_bench.py" "$work/models" "$results/hf.json" models,copy
        timeout 200 "${java[@]}" -Xmx24g -cp "$cp" io.scanflow.kernels.cuda.CudaBench "$work/models" "$results/hf.json" \
            "$results/bench.md" copy,scan,check,generate,dna
    else
        echo "== HF transformers (PyTorch float32)"
        t0=$SECONDS
        PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error timeout 160 \
            python3 "$dir/hf_bench.py" "$work/models" "$results/hf.json"
        echo "python exit $? ($((SECONDS - t0)) s)"
        echo "== CUDA backend benchmarks"
        t0=$SECONDS
        timeout 150 "${java[@]}" -Xmx40g -cp "$cp" io.scanflow.kernels.cuda.CudaBench "$work/models" "$results/hf.json" \
            "$results/bench.md" > "$results/bench.log" 2>&1
        echo "bench exit $? ($((SECONDS - t0)) s)"
        grep -E "failed|Exception|section|Caused" "$results/bench.log" | head -20
    fi
    set -e
    echo "== tables"
    cat "$results/bench.md" 2>/dev/null || true
}

case "$cmd" in
    pack) pack ;;
    run) run "$@" ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
esac
