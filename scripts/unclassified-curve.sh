#!/usr/bin/env bash
# Measures how the --min-probability threshold of dna-classify trades known-species reads for
# "unclassified" calls on reads of species the classifier never saw, and prints the curve that
# docs/genomics.md quotes (and from which the default threshold was chosen).
#   apt-get install -y beast-mcmc-examples beast2-mcmc-examples art-nextgen-simulation-tools
# Known species: ART reads from testdata/genomics/apes-mtdna.fa with seeds (4001-4003) that neither the
# training, the test nor the demo reads used. Unseen species: ART reads from 29 Anolis lizards and 16
# Darwin's finches (scripts/ape_data.py unseen). Usage: scripts/unclassified-curve.sh [WORK_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${1:-$ROOT/target/unclassified-curve}"
mkdir -p "$WORK"
command -v art_illumina >/dev/null || { echo "missing art_illumina: apt-get install art-nextgen-simulation-tools" >&2; exit 1; }

python3 "$ROOT/scripts/ape_data.py" unseen "$WORK/unseen.fa"
# simulate NAME REFS SEED_BASE READS_PER_REFERENCE_AND_LENGTH -> $WORK/NAME.fq (100, 125 and 150 bp reads)
simulate() {
    local name=$1 refs=$2 seed=$3 count=$4
    art_illumina -q -na -ss HS20 -l 100 -c "$count" -rs $((seed + 1)) -i "$refs" -o "$WORK/$name-L100" >/dev/null
    art_illumina -q -na -ss HS25 -l 125 -c "$count" -rs $((seed + 2)) -i "$refs" -o "$WORK/$name-L125" >/dev/null
    art_illumina -q -na -ss HS25 -l 150 -c "$count" -rs $((seed + 3)) -i "$refs" -o "$WORK/$name-L150" >/dev/null
    cat "$WORK/$name"-L*.fq > "$WORK/$name.fastq"
}
simulate known "$ROOT/testdata/genomics/apes-mtdna.fa" 4000 40
simulate unseen "$WORK/unseen.fa" 5000 16

for set in known unseen; do
    "$ROOT/scanflow" dna-classify --input "$WORK/$set.fastq" --out "$WORK/$set-out" --min-probability 0 --progress off >&2
done
python3 "$ROOT/scripts/unclassified_curve.py" "$WORK/known-out/predictions.tsv" "$WORK/unseen-out/predictions.tsv"
