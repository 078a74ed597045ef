#!/usr/bin/env bash
# Builds of the benchmark jar against each other on one machine, run in turn (A, B, ..., A, B, ...) so
# that a host whose speed drifts affects all alike: the JMH step benchmark at the given shapes and
# batches, one fork each, same flags, then a table of each build's median over all its measured
# iterations (a shared host's slow moments land in the tails, not in the median). Build each jar with
# `mvn -pl benchmarks -am package -DskipTests` at the commit to compare. A "jar" is any class path, so a
# build that differs only in a few classes can be given as PATCH.jar:BASE.jar (the patch's classes first).
# Needs python3 for the table. JMH's JSON results stay in OUT_DIR (default: a new temporary folder).
# Usage: scripts/run-step-ab.sh THREADS SHAPES BATCHES ROUNDS JAR_A JAR_B [JAR_C ...]
#   e.g. scripts/run-step-ab.sh 16 AUDIO,DNA 256,1024 3 old.jar new.jar
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
java=${JAVA:-java}
threads=${1:?threads}
shapes=${2:?shapes}
batches=${3:?batches}
rounds=${4:?rounds}
shift 4
[ $# -ge 2 ] || { echo "give at least two jars" >&2; exit 2; }
out=${OUT_DIR:-$(mktemp -d)}
mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
    b=0
    for jar in "$@"; do
        b=$((b + 1))
        echo "## round $round, build $b: $jar"
        "$java" -cp "$jar" org.openjdk.jmh.Main StepBenchmark -p shape="$shapes" -p batch="$batches" \
            -f 1 -wi 4 -w 1s -i 6 -r 1s -rf json -rff "$out/round$round-build$b.json" \
            -jvmArgsAppend "--add-modules=jdk.incubator.vector -Xmx6g -XX:ActiveProcessorCount=$threads -Dscanflow.threads=$threads" \
            2>&1 | grep -E '^StepBenchmark'
    done
done
python3 "$here/ab_table.py" "$out" "$@"
