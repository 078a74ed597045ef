#!/usr/bin/env bash
# ScanFlow's Flink jobs on a GPU machine that has an NVIDIA driver and python3 (with numpy) but no Java:
# `pack` puts into one folder a jlink'ed Java runtime, the job jars and the part of Flink's runtime that an
# embedded (local) job needs, xz-compressed (about 40 MB); `run` unpacks it once and runs the jobs.
#
#   scripts/gpu-jobs.sh pack DIR                    on a build machine (JDK 17 + Maven; nvcc for the kernels)
#   DIR/gpu-jobs.sh run DIR RESULTS [WHAT...]       on the GPU machine
#
# WHAT (default: smoke dna audio stream): smoke (versions, GPU, a tiny job on each engine), dna (reads simulated
# there from the shipped references, the engine alone, then dna-classify --engine cuda through Flink, and a CPU
# subset compared read by read), audio (audio-generate --engine cuda --sessions 2048 --realtime, checkpoints
# every 2 s), stream (stream-generate on the CPU without failure, then on CUDA with a failure injected).
# Environment: SCANFLOW_READS (default 1000000), SCANFLOW_CPU_READS (20000), SCANFLOW_DNA_P4 (0: skip the
# 4-subtask run), SCANFLOW_AUDIO_SECONDS (20),
# SCANFLOW_AUDIO_SESSIONS (2048), SCANFLOW_AUDIO_FIT (skip the as-fast-as-possible run: sessions it sustains), SCANFLOW_GPU_CACHE (where the archive is unpacked, default
# /tmp/scanflow-gpu-jobs; kept between runs while the machine stays up).
# RESULTS receives run.log, one log per job, the jobs' own output files and summary.md (the tables).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,17p' "$0"; exit 2; }

# Jars an embedded job does not need: RocksDB (local runs use the heap backend unless asked), the web UI
# (--web-ui), the profiler. ZooKeeper (high availability) is stripped below, not left out.
LEAVE_OUT='^(frocksdbjni|flink-statebackend-rocksdb|flink-runtime-web|async-profiler)-'

pack() {
    local root
    root=$(cd "$(dirname "$0")/.." && pwd)
    (cd "$root" && mvn -q -pl jobs,benchmarks -am package -DskipTests)
    local stage
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' RETURN
    mkdir -p "$stage/lib" "$stage/conf" "$dir"
    cp "$(ls "$root"/jobs/target/scanflow-jobs-*.jar | grep -v -e '-job.jar' -e '-tests.jar' -e '-sources.jar')" \
        "$stage/lib/scanflow-jobs.jar"
    sort -u <(tr ':' '\n' < "$root/jobs/target/launcher.classpath") \
        <(tr ':' '\n' < "$root/jobs/target/launcher-runtime.classpath") | while read -r j; do
        [ -n "$j" ] || continue
        local b
        b=$(basename "$j")
        [[ "$b" =~ $LEAVE_OUT ]] && continue
        cp "$j" "$stage/lib/$b"
    done
    # JCuda: only the driver API's native library is used (no NVRTC, PTX compiler or runtime API).
    local natives
    natives=$(ls "$stage"/lib/jcuda-natives-*linux-x86_64*.jar)
    zip -q -d "$natives" 'lib/libJNvPTXCompiler*' 'lib/libJNvrtc*' 'lib/libJCudaRuntime*' || true
    # The engine-alone benchmark (CudaBench) lives in the benchmarks module's test classes.
    jar cf "$stage/lib/scanflow-benchmarks-tests.jar" -C "$root/benchmarks/target/test-classes" io/scanflow/kernels \
        -C "$root/kernels/target/test-classes" io/scanflow/kernels/cuda/TestTuning.class
    # Flink's runtime loads Curator's shaded Guava (InputProcessorUtil) even without high availability: keep
    # that part of flink-shaded-zookeeper, not ZooKeeper and Curator themselves.
    zip -q -d "$stage"/lib/flink-shaded-zookeeper-*.jar 'org/apache/flink/shaded/zookeeper3/*' \
        'org/apache/flink/shaded/curator5/org/*' 'META-INF/native-image/*'
    # Native libraries for other platforms.
    zip -q -d "$stage"/lib/snappy-java-*.jar 'org/xerial/snappy/native/[!L]*' 'org/xerial/snappy/native/Linux/[!x]*' \
        'org/xerial/snappy/native/Linux/x86/*' || true
    zip -q -d "$stage"/lib/lz4-java-*.jar 'net/jpountz/util/darwin/*' 'net/jpountz/util/win32/*' \
        'net/jpountz/util/linux/aarch64/*' 'net/jpountz/util/linux/i386/*' 'net/jpountz/util/linux/ppc64le/*' \
        'net/jpountz/util/linux/s390x/*' || true
    # Stored (uncompressed) jars, nested ones too (Flink's RPC loader carries its Pekko runtime as a jar in a
    # jar): xz then sees the class files themselves and packs them several times smaller.
    local j n
    for j in "$stage"/lib/*.jar; do
        mkdir "$stage/x"
        (cd "$stage/x" && unzip -q "$j")
        for n in $(cd "$stage/x" && find . -name '*.jar'); do
            mkdir "$stage/y"
            (cd "$stage/y" && unzip -q "$stage/x/$n" && rm "$stage/x/$n" && zip -q -0 -r -X "$stage/x/$n" .)
            rm -rf "$stage/y"
        done
        rm "$j"
        (cd "$stage/x" && zip -q -0 -r -X "$j" .)
        rm -rf "$stage/x"
    done
    cp "$root"/jobs/target/launcher/jvm.options "$root"/jobs/target/launcher/log4j2.properties "$stage/conf/"
    # What jdeps finds in Flink, Netty, Log4j and ScanFlow (java.desktop: the reports' PNGs), and a few more.
    local jdk
    jdk=/usr/lib/jvm/java-17-openjdk-amd64
    [ -x "$jdk/bin/jlink" ] || jdk=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    "$jdk/bin/jlink" --add-modules java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.management.rmi,java.naming,java.net.http,java.rmi,java.scripting,java.security.jgss,java.sql,java.xml,jdk.management,jdk.net,jdk.sctp,jdk.unsupported,jdk.incubator.vector,jdk.crypto.ec,jdk.zipfs \
        --strip-debug --no-header-files --no-man-pages --compress=0 --output "$stage/jre"
    mkdir -p "$stage/models" "$stage/data"
    cp -r "$root/models/dna-apes" "$root/models/mulaw-generator" "$stage/models/"
    cp -r "$root/testdata/models/mamba1-tied" "$stage/models/"
    # The shipped generator is an 8 kHz model; the same weights declared at 16 kHz pace sessions at 16,000
    # samples/s, the load of 16 kHz audio.
    cp -r "$root/models/mulaw-generator" "$stage/models/mulaw-generator-16k"
    sed -i 's/"sample_rate": *8000/"sample_rate": 16000/' "$stage/models/mulaw-generator-16k/audio.json"
    grep -q '"sample_rate": 16000' "$stage/models/mulaw-generator-16k/audio.json"
    cp "$root/testdata/genomics/apes-mtdna.fa" "$stage/data/"
    (cd "$stage" && tar cf - jre lib conf models data) | xz -T0 -9 > "$dir/scanflow.tar.xz"
    cp "$root/scripts/gpu-jobs.sh" "$root/scripts/simulate_reads.py" "$root/scripts/gpu_tables.py" "$dir/"
    sha256sum "$dir/scanflow.tar.xz" | cut -c1-16 > "$dir/stamp"
    du -sh "$dir" "$dir/scanflow.tar.xz"
}

# ---------------------------------------------------------------------------------------------------------

unpack() {
    cache=${SCANFLOW_GPU_CACHE:-/tmp/scanflow-gpu-jobs}
    if [ "$(cat "$cache/stamp" 2>/dev/null)" != "$(cat "$dir/stamp")" ]; then
        rm -rf "$cache"
        mkdir -p "$cache"
        local t0=$SECONDS
        if command -v xz >/dev/null; then
            xz -dc "$dir/scanflow.tar.xz" | tar xf - -C "$cache"
        else
            python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' \
                "$dir/scanflow.tar.xz" "$cache"
        fi
        cp "$dir/stamp" "$cache/stamp"
        echo "unpacked into $cache in $((SECONDS - t0)) s"
    fi
}

# scanflow SUBCOMMAND ARGS...: the scanflow command, as the checkout's launcher runs it.
scanflow() {
    local flags
    mapfile -t flags < "$cache/conf/jvm.options"
    timeout "${SCANFLOW_TIMEOUT:-240}" "$cache/jre/bin/java" "${flags[@]}" -Djava.awt.headless=true ${SCANFLOW_JAVA_OPTS:--Xmx48g} \
        -Dlog4j.configurationFile="$cache/conf/log4j2.properties" -Dscanflow.log.file="$log_file" \
        -cp "$cache/lib/*" io.scanflow.jobs.cli.ScanflowCommand "$@"
}

run() {
    local results=${3:?results folder}
    shift 3 || true
    local what=("$@")
    [ ${#what[@]} -gt 0 ] || what=(smoke dna audio stream)
    mkdir -p "$results"
    results=$(cd "$results" && pwd)
    exec > >(tee "$results/run.log") 2>&1
    unpack
    local work=${SCANFLOW_GPU_WORK:-/tmp/scanflow-gpu-work}
    mkdir -p "$work"
    models=$cache/models
    nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv || true
    date -u +"run started %Y-%m-%d %H:%M UTC"
    set +e
    local w
    for w in "${what[@]}"; do
        local t0=$SECONDS
        echo "== $w"
        "run_$w" "$results" "$work"
        echo "== $w: exit $?, $((SECONDS - t0)) s"
    done
    set -e
    python3 "$dir/gpu_tables.py" "$results" > "$results/summary.md" || true
    echo "== tables"
    cat "$results/summary.md"
}

run_smoke() {
    local results=$1 work=$2
    log_file=$results/smoke-flink.log
    scanflow --version
    local e
    for e in cpu cuda; do
        scanflow stream-generate --model "$models/mamba1-tied" --tokens "$models/mamba1-tied/reference/prompt.i32" \
            --batch 3 --max-new 16 --engine $e --out "$work/smoke-$e" --overwrite --progress off \
            > "$results/smoke-$e.txt" 2>&1
        echo "smoke $e: exit $?"; cat "$results/smoke-$e.txt"
    done
    cmp "$work/smoke-cpu/tokens.i32" "$work/smoke-cuda/tokens.i32" && echo "smoke: cpu and cuda tokens identical"
}

run_dna() {
    local results=$1 work=$2
    local reads=${SCANFLOW_READS:-1000000} cpu_reads=${SCANFLOW_CPU_READS:-20000}
    local parts=${SCANFLOW_READ_FILES:-16}
    # dna-classify reads a FASTQ file as one split: several files are read by several source subtasks.
    local fq=$work/reads-$reads-of-$parts
    if [ ! -s "$fq-1.fastq" ]; then
        python3 "$dir/simulate_reads.py" --reads "$reads" --parts "$parts" --seed 4001 "$cache/data/apes-mtdna.fa" "$fq.fastq"
    fi
    local inputs=("$fq"-*.fastq)
    head -n $((4 * cpu_reads)) "$fq-1.fastq" > "$work/reads-subset.fastq"
    echo "-- engine alone (CudaBench section dna)"
    "$cache/jre/bin/java" --add-modules jdk.incubator.vector -Xmx16g -Dscanflow.models="$models" -cp "$cache/lib/*" \
        io.scanflow.kernels.cuda.CudaBench "$work/bench-models" "$work/none.json" "$results/engine-dna.md" dna \
        > "$results/engine-dna.log" 2>&1
    cat "$results/engine-dna.md"
    echo "-- dna-classify --engine cuda, $reads reads in $parts files"
    log_file=$results/dna-cuda-flink.log
    scanflow dna-classify --engine cuda --model "$models/dna-apes" --input "${inputs[@]}" --out "$results/dna-cuda" \
        ${SCANFLOW_DNA_ARGS:-} > "$results/dna-cuda.txt" 2>&1
    echo "exit $?"; tail -n 4 "$results/dna-cuda.txt"
    if [ "${SCANFLOW_DNA_P4:-1}" = 1 ]; then
        echo "-- the same with 4 subtasks (4 engines on the GPU) instead of one per core"
        log_file=$results/dna-cuda-p4-flink.log
        scanflow dna-classify --engine cuda --parallelism 4 --model "$models/dna-apes" --input "${inputs[@]}" \
            --out "$results/dna-cuda-p4" > "$results/dna-cuda-p4.txt" 2>&1
        echo "exit $?"; tail -n 2 "$results/dna-cuda-p4.txt"
    fi
    echo "-- the first $cpu_reads reads on each engine"
    local e
    for e in cpu cuda; do
        log_file=$results/dna-subset-$e-flink.log
        scanflow dna-classify --engine $e --model "$models/dna-apes" --input "$work/reads-subset.fastq" \
            --out "$results/dna-subset-$e" > "$results/dna-subset-$e.txt" 2>&1
        echo "$e: exit $?"; tail -n 2 "$results/dna-subset-$e.txt"
    done
    python3 - "$results/dna-subset-cpu/predictions.tsv" "$results/dna-subset-cuda/predictions.tsv" \
        > "$results/dna-compare.txt" <<'EOF'
import sys
def load(p):
    # predictions.tsv: a provenance comment, a header, then read_id sample predicted probability best
    rows = {}
    with open(p) as f:
        lines = [l.rstrip("\n").split("\t") for l in f if not l.startswith("#")]
    col = {name: i for i, name in enumerate(lines[0])}
    for r in lines[1:]:
        rows[r[col["read_id"]]] = (r[col["best"]], float(r[col["probability"]]))
    return rows
a, b = load(sys.argv[1]), load(sys.argv[2])
same = sum(1 for r in a if r in b and a[r][0] == b[r][0])
diff = max((abs(a[r][1] - b[r][1]) for r in a if r in b), default=float("nan"))
print(f"reads cpu {len(a)} cuda {len(b)}; same label {same}; different {len(a) - same}; "
      f"largest probability difference {diff:.2e}")
EOF
    cat "$results/dna-compare.txt"
}

# dna-classify with 4 subtasks and checkpoints every 500 ms: the job's collected results reach the client at
# checkpoints, so the interval bounds how fast they can come.
run_dnack() {
    local results=$1 work=$2
    local reads=${SCANFLOW_READS:-1000000} parts=${SCANFLOW_READ_FILES:-16}
    local fq=$work/reads-$reads-of-$parts
    [ -s "$fq-1.fastq" ] || python3 "$dir/simulate_reads.py" --reads "$reads" --parts "$parts" --seed 4001 \
        "$cache/data/apes-mtdna.fa" "$fq.fastq"
    local inputs=("$fq"-*.fastq)
    log_file=$results/dna-cuda-p4-500ms-flink.log
    scanflow dna-classify --engine cuda --parallelism 4 --checkpoint-interval 500ms --model "$models/dna-apes" \
        --input "${inputs[@]}" --out "$results/dna-cuda-p4-500ms" > "$results/dna-cuda-p4-500ms.txt" 2>&1
    echo "exit $?"; grep "dna-classify:" "$results/dna-cuda-p4-500ms.txt" | tail -n 3
}

run_audio() {
    local results=$1 work=$2
    local seconds=${SCANFLOW_AUDIO_SECONDS:-20} sessions=${SCANFLOW_AUDIO_SESSIONS:-2048}
    local model=$models/mulaw-generator-16k
    # As fast as possible first: how many 16 kHz sessions the job sustains (each session's audio seconds per
    # wall second, summed); the real-time run then takes the asked sessions if they fit, else the most that do.
    local fit=${SCANFLOW_AUDIO_FIT:-}
    if [ -z "$fit" ]; then
        log_file=$results/audio-fast-flink.log
        rm -rf "$work/audio-fast"
        # Thousands of sessions' state is more than the JobManager's 5 MB in-memory checkpoints take: a folder.
        SCANFLOW_TIMEOUT=100 scanflow audio-generate --engine cuda --model "$model" --sessions "$sessions" --seconds 1 \
            --checkpoint-interval 2s --checkpoint-dir "$work/checkpoints-fast" --progress off --out "$work/audio-fast" \
            > "$results/audio-fast.txt" 2>&1
        echo "as fast as possible: exit $?"; tail -n 1 "$results/audio-fast.txt"
        cp "$work/audio-fast/generation.tsv" "$results/audio-fast-generation.tsv" 2>/dev/null || true
        fit=$(python3 -c 'import sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()[1:]]
print(int(sum(float(r[3]) for r in rows)))' "$results/audio-fast-generation.tsv" 2>/dev/null || echo 0)
    fi
    local n=$sessions
    if [ "$fit" -lt $((sessions * 11 / 10)) ]; then
        n=64
        while [ $((n * 2 * 11 / 10)) -le "$fit" ]; do n=$((n * 2)); done
    fi
    echo "sessions sustained as fast as possible: $fit; real-time run with $n sessions" | tee "$results/audio-choice.txt"
    # SCANFLOW_AUDIO_PARALLELISM="1 4": one real-time run per value (subtasks, each with its engine on the GPU);
    # the first writes audio.txt, the others audio-pN.txt.
    local p first=1 name
    for p in ${SCANFLOW_AUDIO_PARALLELISM:-1}; do
        name=audio; [ $first = 1 ] || name=audio-p$p; first=0
        log_file=$results/$name-flink.log
        rm -rf "$work/$name" "$work/checkpoints-$name"
        SCANFLOW_TIMEOUT=120 scanflow audio-generate --engine cuda --model "$model" --sessions "$n" --seconds "$seconds" \
            --realtime --parallelism "$p" --checkpoint-interval 2s --checkpoint-dir "$work/checkpoints-$name" \
            --progress off --out "$work/$name" > "$results/$name.txt" 2>&1
        echo "parallelism $p: exit $?"; tail -n 3 "$results/$name.txt"
        cp "$work/$name/generation.tsv" "$results/$name-generation.tsv" 2>/dev/null || true
        grep -h "Completed checkpoint" "$results"/$name-flink.log* > "$results/$name-checkpoints.txt" || true
        echo "checkpoints completed: $(wc -l < "$results/$name-checkpoints.txt")"
    done
}

run_stream() {
    local results=$1 work=$2
    local prompts=$work/prompts.i32
    python3 - "$prompts" <<'EOF'
import struct, sys, random
# int32 [B, L] with the shape header TokenFile reads: 64 prompts of 32 tokens of the test model's vocabulary.
random.seed(5)
b, l = 64, 32
with open(sys.argv[1], "wb") as f:
    f.write(b"".join(struct.pack("<i", random.randrange(4, 50)) for _ in range(b * l)))
EOF
    local args=(--model "$models/mamba1-tied" --tokens "$prompts" --batch 64 --max-new 1000 --temperature 0.8
        --seed 11 --tokens-per-second 100 --checkpoint-interval 500ms --progress off --overwrite)
    log_file=$results/stream-cpu-flink.log
    scanflow stream-generate "${args[@]}" --engine cpu --out "$work/stream-cpu" > "$results/stream-cpu.txt" 2>&1
    echo "cpu: exit $?"; cat "$results/stream-cpu.txt"
    log_file=$results/stream-cuda-flink.log
    scanflow stream-generate "${args[@]}" --engine cuda --fail-after 40000 --out "$work/stream-cuda" \
        > "$results/stream-cuda.txt" 2>&1
    echo "cuda with a failure: exit $?"; cat "$results/stream-cuda.txt"
    { grep -h -o -E "injected failure after [0-9]+ outputs|Restoring job [0-9a-f]+ from Checkpoint [0-9]+|No checkpoint found during restore" "$results"/stream-cuda-flink.log* \
        | head -5; grep -h "injected failure" "$results/stream-cuda.txt"; } > "$results/stream-failure.txt" || true
    cat "$results/stream-failure.txt"
    if cmp "$work/stream-cpu/tokens.i32" "$work/stream-cuda/tokens.i32"; then
        echo "stream: tokens.i32 of cuda with a failure identical to cpu without one" | tee "$results/stream-compare.txt"
    else
        echo "stream: tokens.i32 differ" | tee "$results/stream-compare.txt"
    fi
}

case "$cmd" in
    pack) pack ;;
    run) run "$@" ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
esac
