#!/usr/bin/env bash
# The fault campaign (flink-operators' FaultCampaignITCase) at full length: RUNS seeded runs of the
# classify-and-generate job on a MiniCluster, with failures injected at random sites, savepoints restored
# at other parallelisms and state backends, and a busy thread in the JVM; prints one table (also written to
# flink-operators/target/fault-campaign.md) and fails if any run lost, duplicated or changed output.
# `mvn verify` runs the short form (12 runs).
#
#   scripts/fault-campaign.sh [RUNS [FIRST_SEED]]      default 200 runs from seed 1
set -euo pipefail
runs=${1:-200}
seed=${2:-1}
cd "$(dirname "$0")/.."
mvn -q -pl flink-operators -am verify -Dtest=FaultCampaignITCase -Dsurefire.failIfNoSpecifiedTests=false \
    -Dscanflow.campaign.runs="$runs" -Dscanflow.campaign.seed="$seed"
cat flink-operators/target/fault-campaign.md
