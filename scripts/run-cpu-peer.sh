#!/usr/bin/env bash
# The CPU benchmark table with its peer, in one run on one machine: HF transformers (PyTorch eager, CPU)
# and the ScanFlow CPU backend (JMH), same shapes and thread count, then the combined table.
# Needs: python3 with torch + transformers, a Java 17+ runtime (JAVA, default: java on the PATH) and the
# benchmark jar (JAR, default: benchmarks/target/benchmarks.jar from `mvn -pl benchmarks -am package -DskipTests`).
# Usage: scripts/run-cpu-peer.sh THREADS [--full] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:?threads}
full=${2:-}
out=${3:-$(mktemp -d)}
mkdir -p "$out"
java=${JAVA:-java}
jar=${JAR:-benchmarks/target/benchmarks.jar}
PYTHONUNBUFFERED=1 python3 scripts/hf_cpu_peer.py --threads "$threads" $full --out "$out/peer.json" | tee "$out/peer.log"
"$java" --add-modules=jdk.incubator.vector -Xmx8g -jar "$jar" --threads "$threads" $full --peer "$out/peer.json" \
  | tee "$out/java.log" | grep -E '^(\||#|Limits|BOXED)'
