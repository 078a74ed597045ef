"""Evaluate an exported Transformer-PSM (config.json + model.safetensors) on CPU.

  python3 scripts/training/evaluate_export.py models/transformer-psm [--sequences 128]

Prints, per length (1x, 2x, 4x, 8x the training length): per-position accuracy, the accuracy
beyond the training length, and for S3 the accuracy of the predicted element's sign (the
quotient S3 -> Z2, i.e. the parity of the number of odd permutations so far), which tells a
model that tracks the parity part of the state apart from one that tracks nothing (chance: 1/2).
"""
import argparse
import itertools
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from state_tracking import StateTracking  # noqa: E402
from transformer_psm import load  # noqa: E402


def sign_table():
    """sign[i] = 1 for the odd permutations of S3, in state_tracking's element order."""
    signs = []
    for p in itertools.permutations(range(3)):
        inversions = sum(1 for a in range(3) for b in range(a + 1, 3) if p[a] > p[b])
        signs.append(inversions % 2)
    return torch.tensor(signs)


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--sequences", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with open(os.path.join(args.model, "config.json")) as f:
        cfg = json.load(f)
    model = load(args.model).eval()
    task, train_len = cfg.get("task", "s3"), cfg.get("trained_length", 64)
    data = StateTracking(task)
    sign = sign_table() if task == "s3" else None
    gen = torch.Generator().manual_seed(args.seed)
    out = {}
    for k in (1, 2, 4, 8):
        length = train_len * k
        x, y = data.batch(args.sequences, length, gen)
        pred = model(x)[0].argmax(-1)
        ok = (pred == y).float()
        row = {"acc": ok.mean().item(),
               "acc_beyond_train": ok[:, train_len:].mean().item() if k > 1 else None}
        if sign is not None:
            sok = (sign[pred] == sign[y]).float()
            row["sign_acc"] = sok.mean().item()
            row["sign_acc_beyond_train"] = sok[:, train_len:].mean().item() if k > 1 else None
        out[length] = row
        print(length, json.dumps(row), flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
