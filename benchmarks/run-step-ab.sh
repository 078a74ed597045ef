#!/usr/bin/env bash
# Two builds of the benchmark jar against each other on one machine, run alternately (A, B, A, B, ...)
# so that a host whose speed drifts affects both alike: the JMH step benchmark at the given shapes and
# batches, one fork each, same flags. Build each jar with `mvn -pl benchmarks -am package -DskipTests`
# at the commit to compare.
# Usage: benchmarks/run-step-ab.sh JAR_A JAR_B THREADS SHAPES BATCHES [ROUNDS]
#   e.g. benchmarks/run-step-ab.sh old.jar new.jar 16 AUDIO,DNA 256,1024 2
set -euo pipefail
java=${JAVA:-java}
a=${1:?jar A}
b=${2:?jar B}
threads=${3:?threads}
shapes=${4:?shapes}
batches=${5:?batches}
rounds=${6:-2}
for round in $(seq 1 "$rounds"); do
    for jar in "$a" "$b"; do
        echo "## round $round, $jar"
        "$java" -cp "$jar" org.openjdk.jmh.Main StepBenchmark -p shape="$shapes" -p batch="$batches" \
            -f 1 -wi 4 -w 1s -i 4 -r 1s \
            -jvmArgsAppend "--add-modules=jdk.incubator.vector -Xmx6g -XX:ActiveProcessorCount=$threads -Dscanflow.threads=$threads" \
            2>&1 | grep -E '^StepBenchmark'
    done
done
