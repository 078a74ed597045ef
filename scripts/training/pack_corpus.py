"""Packs the arrays written by the Java exporter (io.scanflow.audio.tools.ExportTrainingData) into one
compressed .npz for training: classifier features as float16, and for the generator the speech part of
each clip (trailing mu-law silence trimmed) as uint8 token streams with clip boundaries.

Usage: python3 pack_corpus.py EXPORT_DIR OUT.npz [GEN_TRAIN_CLIPS] [--generator-only]
GEN_TRAIN_CLIPS: training clips picked for the generator (default 3000; 0 takes all of them).
--generator-only: only the generator's token streams (no features, labels or voices), for
train_mulaw_generator.py.
"""
import argparse

import numpy as np

SILENCE = (127, 128)  # the two mu-law levels around zero


def trim(tokens):
    """Drops trailing near-silence (|level - 127.5| <= 2) from one clip, keeps at least 1000 samples."""
    loud = np.nonzero(np.abs(tokens.astype(np.int32) * 2 - 255) > 4)[0]
    end = max(1000, int(loud[-1]) + 1 if len(loud) else 1000)
    return tokens[:end]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("gen_train", nargs="?", type=int, default=3000)
    ap.add_argument("--generator-only", action="store_true")
    args = ap.parse_args()
    src, out, gen_train = args.src, args.out, args.gen_train
    meta = dict(line.split() for line in open(f"{src}/meta.txt"))
    frames, width, rate = int(meta["frames"]), int(meta["width"]), int(meta["gen_rate"])
    arrays = {}
    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        n = int(meta[split])
        mulaw = np.fromfile(f"{src}/{split}.mulaw.u8", "u1").reshape(n, rate)
        pick = np.sort(rng.choice(n, size=min(n, gen_train), replace=False)) \
            if split == "train" and 0 < gen_train < n else np.arange(n)
        clips = [trim(mulaw[i]) for i in pick]
        arrays[f"{split}_mulaw"] = np.concatenate(clips)
        arrays[f"{split}_mulaw_starts"] = np.cumsum([0] + [len(c) for c in clips])[:-1]
        if args.generator_only:
            continue
        feats = np.fromfile(f"{src}/{split}.features.f32", "<f4").reshape(n, frames, width)
        arrays[f"{split}_features"] = feats.astype(np.float16)
        arrays[f"{split}_labels"] = np.fromfile(f"{src}/{split}.labels.i32", "<i4")
        arrays[f"{split}_voices"] = np.array(open(f"{src}/{split}.voices.txt").read().split())
    arrays["gen_rate"] = np.array(rate)
    np.savez_compressed(out, **arrays)
    print({k: v.shape for k, v in arrays.items()})


if __name__ == "__main__":
    main()
