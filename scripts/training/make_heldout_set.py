"""Picks the committed held-out test set (testdata/audio/heldout-festival) from the scored festival clips
of augment_corpus.py: every festival clip once, in one condition by turn (clean, 20, 10, 5 dB SNR; the
noise type is the one augment_corpus gave it), the first TAKES takes of each voice and digit, resampled
to 8 kHz 16-bit (small enough to commit: 16 kB a clip).

Usage: python3 make_heldout_set.py AUGMENTED_DIR OUT_DIR [TAKES]
Writes OUT_DIR/<condition>/<digit>/<clip>.wav and OUT_DIR/labels.tsv (file, digit, voice, condition).
"""
import os
import sys

import numpy as np
from scipy.signal import resample_poly

from augment_corpus import read_wav, write_wav

CONDITIONS = ["clean", "20", "10", "5"]


def main():
    src, out = sys.argv[1], sys.argv[2]
    takes = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    rows = [line.split("\t") for line in open(os.path.join(src, "manifest.tsv")).read().splitlines()[1:]]
    clean = sorted(r for r in rows if r[2] == "festival@clean")
    seen, labels = {}, []
    for i, r in enumerate(clean):
        key = (r[4], r[1])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > takes:
            continue
        cond = CONDITIONS[len(labels) % len(CONDITIONS)]
        rel = r[0].replace("festival@clean", "festival@" + cond)
        noise = next(x[5] for x in rows if x[0] == rel)
        x = resample_poly(read_wav(os.path.join(src, rel)), 1, 2)
        name = f"{cond}/{r[1]}/{os.path.basename(rel)}"
        os.makedirs(os.path.dirname(os.path.join(out, name)), exist_ok=True)
        write_wav(os.path.join(out, name), np.clip(x, -1, 1), 8000)
        labels.append(f"{name}\t{r[1]}\t{r[4]}\t{noise}")
    with open(os.path.join(out, "labels.tsv"), "w") as f:
        f.write("file\tdigit\tvoice\tcondition\n" + "\n".join(labels) + "\n")
    print(f"make_heldout_set: {len(labels)} clips in {out}")


if __name__ == "__main__":
    main()
