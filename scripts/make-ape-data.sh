#!/usr/bin/env bash
# Builds the ape / primate mitochondrial DNA data set used by the genomics module and the
# dna-classify demo, reproducibly, from Debian packages:
#   apt-get install -y beast-mcmc-examples beast2-mcmc-examples art-nextgen-simulation-tools samtools
#
# Writes (committed, small):  testdata/genomics/apes-mtdna.fa (+ .fai)   gap-free references
#                             testdata/genomics/ape-demo.bam (+ .bai, .cram, truth .tsv)
# Writes (regenerated):       target/ape-data/{train,test}.sam, test.bam, identical.json
#
# Reads: ART Illumina profiles HS20 (100 bp) and HS25 (125 and 150 bp), single end, both strands.
# Train, test and demo reads come from disjoint seeds. Usage: scripts/make-ape-data.sh [OUT_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="python3 $ROOT/scripts/ape_data.py"
DATA="$ROOT/testdata/genomics"
WORK="${1:-$ROOT/target/ape-data}"
mkdir -p "$DATA" "$WORK"
for tool in art_illumina samtools; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install art-nextgen-simulation-tools samtools" >&2; exit 1; }
done

REFS="$DATA/apes-mtdna.fa"
$PY refs "$REFS"
samtools faidx "$REFS"

# simulate NAME SEED_BASE READS_PER_REFERENCE_AND_LENGTH -> $WORK/NAME-L{100,125,150}.sam
simulate() {
    local name=$1 seed=$2 count=$3
    art_illumina -q -na -sam -ss HS20 -l 100 -c "$count" -rs $((seed + 1)) -i "$REFS" -o "$WORK/$name-L100" >/dev/null
    art_illumina -q -na -sam -ss HS25 -l 125 -c "$count" -rs $((seed + 2)) -i "$REFS" -o "$WORK/$name-L125" >/dev/null
    art_illumina -q -na -sam -ss HS25 -l 150 -c "$count" -rs $((seed + 3)) -i "$REFS" -o "$WORK/$name-L150" >/dev/null
}
simulate train 1000 1500
simulate test 2000 200
simulate demo 3000 20

# Samples (read groups) of 60 reads, each from one reference.
$PY sam-to-bam --out "$WORK/train.sam" --prefix T --sample-size 60 "$WORK"/train-L*.sam
$PY sam-to-bam --out "$WORK/test.sam" --truth "$WORK/test-samples.tsv" --prefix S --sample-size 60 "$WORK"/test-L*.sam
$PY sam-to-bam --out "$WORK/demo.sam" --truth "$DATA/ape-demo-samples.tsv" --prefix D --sample-size 60 "$WORK"/demo-L*.sam

samtools sort --no-PG -@2 -o "$WORK/test.bam" "$WORK/test.sam" && samtools index "$WORK/test.bam"
samtools sort --no-PG -o "$DATA/ape-demo.bam" "$WORK/demo.sam" && samtools index "$DATA/ape-demo.bam"
# CRAM records the reference's absolute path (UR) in the header; drop it so the committed file names no
# machine's folders (readers get the reference from --reference / the M5 checksums instead).
samtools view --no-PG -C -T "$REFS" -o "$WORK/ape-demo.cram" "$DATA/ape-demo.bam"
samtools view --no-PG -H "$WORK/ape-demo.cram" | sed 's/\tUR:[^\t]*//' > "$WORK/ape-demo.cram-header.sam"
samtools reheader --no-PG "$WORK/ape-demo.cram-header.sam" "$WORK/ape-demo.cram" > "$DATA/ape-demo.cram"
samtools index "$DATA/ape-demo.cram"

# Reads that no classifier can tell apart: the true sequence also lies in another label's reference.
$PY identical --refs "$REFS" "$WORK"/test-L*.sam > "$WORK/identical-test.json"
$PY identical --refs "$REFS" "$WORK"/demo-L*.sam > "$DATA/ape-demo-identical.json"
grep -E '"(chimpanzee/bonobo|bonobo/chimpanzee)"' "$WORK/identical-test.json" || true
ls -l "$DATA"
