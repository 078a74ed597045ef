#!/usr/bin/env bash
# How the recurrent step scales with threads on one machine, in one run: for each thread count, the
# machine's limits measured with that many threads, then the step at the given shapes and batches, each
# row with its fraction of the binding limit (CpuBenchReport --no-prefill).
# Needs a Java 17+ runtime (JAVA, default: java on the PATH) and the benchmark jar (JAR, default:
# benchmarks/target/benchmarks.jar from `mvn -pl benchmarks -am package -DskipTests`).
# Usage: scripts/run-step-sweep.sh "THREADS..." [SHAPES] [BATCHES]
#   e.g. scripts/run-step-sweep.sh "1 4 16" AUDIO,DNA 1024
set -euo pipefail
cd "$(dirname "$0")/.."
java=${JAVA:-java}
jar=${JAR:-benchmarks/target/benchmarks.jar}
shapes=${2:-AUDIO,DNA}
batches=${3:-1024}
for threads in $1; do
    echo "## step, $threads threads"
    "$java" --add-modules=jdk.incubator.vector -Xmx8g -XX:ActiveProcessorCount="$threads" -jar "$jar" \
        --threads "$threads" --shapes "$shapes" --batches "$batches" --no-prefill 2>&1 | grep -E '^(\||Limits|BOXED)'
done
