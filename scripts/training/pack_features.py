"""Packs the classifier features written by the Java exporter (io.scanflow.audio.tools.ExportTrainingData,
run with GEN_RATE 0) for every split into one compact .npz: features quantised to int8 per coefficient
(x = q * feature_scale + feature_offset, 255 levels over the coefficient's range in the whole export:
a step of under 1/20 of its standard deviation, well below the feature noise training adds), labels and
voices.

Usage: python3 pack_features.py EXPORT_DIR OUT.npz
"""
import sys

import numpy as np


def main():
    src, out = sys.argv[1], sys.argv[2]
    meta = dict(line.split() for line in open(f"{src}/meta.txt"))
    frames, width = int(meta.pop("frames")), int(meta.pop("width"))
    meta.pop("gen_rate")
    feats, arrays = {}, {}
    for split, n in meta.items():
        feats[split] = np.fromfile(f"{src}/{split}.features.f32", "<f4").reshape(int(n), frames, width)
        arrays[f"{split}_labels"] = np.fromfile(f"{src}/{split}.labels.i32", "<i4")
        arrays[f"{split}_voices"] = np.array(open(f"{src}/{split}.voices.txt").read().split())
    lo = np.min([f.min((0, 1)) for f in feats.values()], axis=0)
    hi = np.max([f.max((0, 1)) for f in feats.values()], axis=0)
    scale = ((hi - lo) / 254.0).astype(np.float32)
    offset = ((hi + lo) / 2).astype(np.float32)
    for split, f in feats.items():
        arrays[f"{split}_features"] = np.clip(np.round((f - offset) / scale), -127, 127).astype(np.int8)
    arrays["feature_scale"], arrays["feature_offset"] = scale, offset
    np.savez_compressed(out, **arrays)
    print({k: v.shape for k, v in arrays.items() if k.endswith("_features")})


if __name__ == "__main__":
    main()
