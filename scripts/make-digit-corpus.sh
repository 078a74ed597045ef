#!/usr/bin/env bash
# Makes the spoken-digit corpus ("zero" .. "nine", 16 kHz mono 16-bit, 1 s clips like SC09) with
# espeak-ng over its English accents and voice variants, with pitch and speed varied per clip.
#
# Split BY VOICE: a voice is (accent, variant). The test set uses only held-out accents AND held-out
# variants, the training set only the others; mixed combinations are not generated. No test voice
# shares its accent or its variant with any training voice.
#
# Usage: scripts/make-digit-corpus.sh OUT_DIR [TAKES_PER_DIGIT]
#   needs: espeak-ng, sox  (Debian: apt-get install -y espeak-ng sox)
# Writes OUT_DIR/{train,test}/<digit>/<accent>+<variant>_p<pitch>_s<speed>.wav and OUT_DIR/manifest.tsv.
# Deterministic: the same espeak-ng version gives the same files.
set -euo pipefail

out=${1:?usage: make-digit-corpus.sh OUT_DIR [TAKES_PER_DIGIT]}
takes=${2:-2}
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-digit-corpus: $tool not found; install it: apt-get install -y espeak-ng sox" >&2; exit 1; }
done

digits=(zero one two three four five six seven eight nine)
# Accents: espeak-ng's own English voices (the mbrola ones need extra packages).
train_accents=(en-gb en-us en-gb-scotland en-gb-x-gbclan en-gb-x-rp en-us-nyc)
test_accents=(en-029 en-gb-x-gbcwmd)
# Variants: every installed one except whispers, the speed test and the heavily processed robots.
mapfile -t variants < <(espeak-ng --voices=variant | awk 'NR>1 {sub("!v/", "", $5); print $5}' \
  | grep -v -x -E 'fast|whisper|whisperf|announcer|UniRobot|anikaRobot|Demonic|Mr|robosoft[0-9]*' | LC_ALL=C sort -u)
train_variants=(); test_variants=()
for i in "${!variants[@]}"; do
  if (( i % 4 == 3 )); then test_variants+=("${variants[$i]}"); else train_variants+=("${variants[$i]}"); fi
done

jobs_file=$(mktemp)
trap 'rm -f "$jobs_file"' EXIT
# One line per clip: split digit accent variant pitch speed. Pitch and speed come from a seeded
# generator (awk's srand with a fixed seed), so the corpus is reproducible.
emit() {
  local split=$1; shift
  local -n accents=$1 vars=$2
  for a in "${accents[@]}"; do
    for v in "${vars[@]}"; do
      for d in "${digits[@]}"; do
        for ((t = 0; t < takes; t++)); do echo "$split $d $a $v"; done
      done
    done
  done
}
{ emit train train_accents train_variants; emit test test_accents test_variants; } \
  | awk 'BEGIN { srand(20240901) } { printf "%s %s %s %s %d %d\n", $1, $2, $3, $4, 20 + int(rand() * 61), 130 + int(rand() * 81) }' \
  > "$jobs_file"

make_clip() {
  local split=$1 digit=$2 accent=$3 variant=$4 pitch=$5 speed=$6 out=$7
  local dir="$out/$split/$digit" name="${accent}+${variant}_p${pitch}_s${speed}"
  mkdir -p "$dir"
  local raw; raw=$(mktemp --suffix=.wav)
  espeak-ng -v "${accent}+${variant}" -p "$pitch" -s "$speed" -w "$raw" "$digit"
  # 16 kHz mono 16-bit; strip leading and trailing silence, start at 0.1 s, cut or pad to exactly 1 s.
  sox -V1 "$raw" -r 16000 -b 16 -c 1 "$dir/$name.wav" \
    silence 1 0.005 0.5% reverse silence 1 0.005 0.5% reverse pad 0.1 0 pad 0 1 trim 0 1
  rm -f "$raw"
  printf '%s/%s/%s.wav\t%s\t%s\t%s\t%s\t%s\t%s\n' "$split" "$digit" "$name" "$digit" "$split" "$accent" "$variant" "$pitch" "$speed"
}
export -f make_clip

mkdir -p "$out"
printf 'file\tdigit\tsplit\taccent\tvariant\tpitch\tspeed\n' > "$out/manifest.tsv"
xargs -P "$(nproc)" -L 1 bash -c 'make_clip "$@" '"'$out'" _ < "$jobs_file" | LC_ALL=C sort >> "$out/manifest.tsv"
echo "make-digit-corpus: $(($(wc -l < "$out/manifest.tsv") - 1)) clips in $out" \
  "(train voices: ${#train_accents[@]} accents x ${#train_variants[@]} variants;" \
  "test voices: ${#test_accents[@]} accents x ${#test_variants[@]} variants)"
