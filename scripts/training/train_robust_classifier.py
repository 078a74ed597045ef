"""Trains the noise-robust spoken-digit classifier on the augmented multi-synthesizer corpus and scores it
per held-out split and SNR.

Same model and export as train_digit_classifier.py (feature-input Mamba, mean pooling, linear head, the
standardisation folded into input_proj, parity fixtures), trained on the splits named by --train and
scored on every split of DATA.npz whose name has an "@" (`<split>@clean`, `<split>@20`, ...: see
augment_corpus.py). With --cmn every clip's frames have their per-coefficient mean over the window
subtracted first (cepstral mean normalisation); head.json then says "normalize": "window_mean" and the
Java feature path does the same.

DATA.npz (pack_features.py): per split S, S_features int8 [n, frames, width] with the global
feature_scale / feature_offset (x = q * scale + offset), S_labels, S_voices.

Usage: python3 train_robust_classifier.py DATA.npz OUT_DIR --train espeak-ng-train,flite-train
           [--cmn] [--seconds S] [--hidden 64] [--layers 3] [--state 16] [--seed 0] [--device cuda|cpu]
Writes the model folder (as train_digit_classifier.py) with metrics.json: per scored split, accuracy,
clips, confusion and per-voice accuracy.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mamba as ms  # noqa: E402
from train_digit_classifier import DIGITS, Classifier, evaluate, export_classifier, train_step  # noqa: E402


def load(data, split, cmn):
    x = torch.tensor(data[f"{split}_features"].astype(np.float32) * data["feature_scale"] + data["feature_offset"])
    if cmn:
        x = x - x.mean(1, keepdim=True)
    return x, torch.tensor(data[f"{split}_labels"]).long(), [str(v) for v in data[f"{split}_voices"]]


def score(model, x, y, voices):
    acc, pred = evaluate(model, x, y)
    confusion = np.zeros((10, 10), dtype=int)
    per_voice = {}
    for t, p, v in zip(y.cpu().numpy(), pred.cpu().numpy(), voices):
        confusion[t, p] += 1
        c = per_voice.setdefault(v, [0, 0])
        c[0] += int(t == p)
        c[1] += 1
    return {"accuracy": acc, "clips": len(y), "confusion": confusion.tolist(), "per_voice": per_voice}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--train", required=True)
    ap.add_argument("--cmn", action="store_true")
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--state", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    data = np.load(args.data)
    splits = [k[:-len("_features")] for k in data.files if k.endswith("_features")]
    train_parts = [load(data, s, args.cmn) for s in args.train.split(",")]
    xtr = torch.cat([p[0] for p in train_parts])
    ytr = torch.cat([p[1] for p in train_parts])
    scored = {s: load(data, s, args.cmn) for s in splits if "@" in s}
    mu, sigma = xtr.mean((0, 1)), xtr.std((0, 1)) + 1e-3
    norm = lambda x: ((x - mu) / sigma).to(dev)  # noqa: E731
    xtr_n, ytr = norm(xtr), ytr.to(dev)
    silence = xtr_n[:, 0:1, :].mean(0, keepdim=True)
    cfg = ms.make_config(args.hidden, args.layers, state=args.state, features=xtr.shape[-1])
    model = Classifier(cfg, len(DIGITS)).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    batch, step, epoch, start = 128, 0, 0, time.time()
    history = []
    watch = next((s for s in scored if s.startswith("festival@10")), None)
    while time.time() - start < args.seconds:
        perm = torch.randperm(len(xtr_n), device=dev)
        for i in range(0, len(perm) - batch + 1, batch):
            idx = perm[i:i + batch]
            loss = train_step(model, opt, xtr_n[idx], ytr[idx], silence, args.lr, (time.time() - start) / args.seconds)
            step += 1
        epoch += 1
        if watch and epoch % 3 == 0:
            acc, _ = evaluate(model, norm(scored[watch][0]), scored[watch][1].to(dev))
            history.append({"epoch": epoch, "seconds": round(time.time() - start, 1), "loss": loss.item(), watch: acc})
            print(history[-1], flush=True)
    seconds = round(time.time() - start, 1)
    train_acc, _ = evaluate(model, xtr_n, ytr)
    results = {s: score(model, norm(x), y.to(dev), v) for s, (x, y, v) in sorted(scored.items())}
    for s, r in results.items():
        print(f"{s}\t{r['accuracy']:.4f}\t{r['clips']}", flush=True)
    ref = scored.get("festival@clean") or next(iter(scored.values()))
    export_classifier(model, mu, sigma, cfg, args.out, ref[0], ref[1],
                      input_extra={"normalize": "window_mean"} if args.cmn else None)
    metrics = {"train": args.train, "cmn": args.cmn, "train_accuracy": train_acc, "train_clips": len(ytr),
               "epochs": epoch, "steps": step, "seconds": seconds, "seed": args.seed, "labels": DIGITS,
               "scored": results, "history": history, "config": cfg}
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)


if __name__ == "__main__":
    main()
