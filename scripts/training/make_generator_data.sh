#!/usr/bin/env bash
# Packs the mu-law generator's training data from the robust corpus (make_tts_corpus.py OUT): espeak-ng and
# flite clips only, so festival stays a synthesizer the generator never heard. train = espeak-ng-train +
# flite-train (5,440 clips), test = espeak-ng-test + flite-test (520 clips of held-out voices). The clips
# are resampled and mu-law coded by the Java exporter (the code the jobs run), then packed by
# pack_corpus.py --generator-only (trailing silence trimmed).
# Usage: scripts/training/make_generator_data.sh TTS_DIR OUT.npz   (run from the repository root; needs Maven, Java)
set -euo pipefail
if [ $# -ne 2 ]; then
    sed -n '2,7p' "$0" >&2
    exit 2
fi
tts=$(cd "$1" && pwd); out=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
for split in espeak-ng-train espeak-ng-test flite-train flite-test; do
    ln -s "$tts/$split" "$work/corpus/$split"
done
awk -F'\t' 'BEGIN { OFS = "\t" }
    NR == 1 { print; next }
    $3 == "espeak-ng-train" || $3 == "flite-train" { $3 = "train"; print }
    $3 == "espeak-ng-test" || $3 == "flite-test" { $3 = "test"; print }' "$tts/manifest.tsv" > "$work/corpus/manifest.tsv"
mvn -q -pl audio -am compile -Dmaven.test.skip=true
mvn -q -pl audio dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
java -cp "audio/target/classes:model/target/classes:kernels/target/classes:$(cat "$work/cp.txt")" \
    io.scanflow.audio.tools.ExportTrainingData "$work/corpus" "$work/export" 8000
python3 "$(dirname "$0")/pack_corpus.py" "$work/export" "$out" 0 --generator-only
