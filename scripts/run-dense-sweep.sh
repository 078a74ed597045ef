#!/usr/bin/env bash
# How the CPU backend scales with threads on one machine, in one run: the dense layer alone
# (DenseLayerThroughput, mamba-130m step shapes next to the FMA peak of the same threads) for each thread
# count, then the mamba-130m batch-256 step (JMH) for each.
# Needs a Java 17+ runtime (JAVA, default: java on the PATH) and the benchmark jar (JAR, default:
# benchmarks/target/benchmarks.jar from `mvn -pl benchmarks -am package -DskipTests`).
# Usage: scripts/run-dense-sweep.sh "THREADS..." [JVM_FLAGS]
set -euo pipefail
cd "$(dirname "$0")/.."
java=${JAVA:-java}
jar=${JAR:-benchmarks/target/benchmarks.jar}
flags=${2:-}
for threads in $1; do
    echo "## dense layers, $threads threads"
    "$java" --add-modules=jdk.incubator.vector -XX:ActiveProcessorCount="$threads" $flags \
        -cp "$jar" io.scanflow.benchmarks.DenseLayerThroughput 2>&1 | grep -E '^(\||dense)'
done
for threads in $1; do
    echo "## mamba-130m step, batch 256, $threads threads"
    "$java" --add-modules=jdk.incubator.vector -cp "$jar" org.openjdk.jmh.Main StepBenchmark \
        -p shape=MAMBA_130M -p batch=256 -f 1 -wi 6 -w 1s -i 5 -r 1s \
        -jvmArgsAppend "--add-modules=jdk.incubator.vector -Xmx6g -XX:ActiveProcessorCount=$threads -Dscanflow.threads=$threads $flags" 2>&1 \
        | grep -E '^(Benchmark|StepBenchmark)'
done
