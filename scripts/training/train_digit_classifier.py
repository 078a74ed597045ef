"""Trains the spoken-digit classifier: a feature-input Mamba over TarsosDSP MFCC frames (made by the Java
exporter, so training sees what the job computes) with a mean-pooled linear head.

The per-feature standardisation learned on the training set is folded into backbone.input_proj at export
(W' = W / sigma, b' = b - W' mu), so the exported model takes raw MFCC frames.

Writes OUT_DIR/: config.json, model.safetensors (HF layout + input_proj), head.safetensors
(classifier.weight [C, d], classifier.bias [C]) and head.json (ScanFlow's classification head format:
labels, pooling; plus "input": the features and windowing),
reference/ (Java parity fixtures) and metrics.json (test accuracy on held-out voices, confusion matrix).

Usage: python3 train_digit_classifier.py DATA.npz OUT_DIR [--seconds S] [--device cuda|cpu] [--tiny]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mamba as ms  # noqa: E402

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
FEATURES = {"kind": "mfcc", "sample_rate": 16000, "frame": 512, "hop": 256, "coefficients": 20,
            "mel_filters": 40, "low_hz": 20.0, "high_hz": 8000.0}


class Classifier(nn.Module):
    def __init__(self, cfg, classes):
        super().__init__()
        self.mamba = ms.MambaModel(cfg)
        self.head = nn.Linear(cfg["hidden_size"], classes)

    def forward(self, x):  # x: [b, l, f] standardised features
        return self.head(self.mamba(x).mean(1))


def augment(x, silence):
    """Time shift (padding with the silence frame) and small feature noise: voices and timing vary."""
    b, length, f = x.shape
    shift = torch.randint(-8, 9, (b,), device=x.device)
    idx = torch.arange(length, device=x.device)[None, :] - shift[:, None]
    valid = (idx >= 0) & (idx < length)
    x = torch.where(valid[..., None], x.gather(1, idx.clamp(0, length - 1)[..., None].expand(b, length, f)), silence)
    return x + 0.1 * torch.randn_like(x)


def train_step(model, opt, x, y, silence, peak_lr, progress):
    """One AdamW step on an augmented batch; the learning rate follows a cosine from peak_lr at progress 0
    to 0 at progress 1 (the share of the time budget used)."""
    for g in opt.param_groups:
        g["lr"] = peak_lr * 0.5 * (1 + np.cos(np.pi * min(1.0, progress)))
    loss = F.cross_entropy(model(augment(x, silence)), y, label_smoothing=0.05)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss


def evaluate(model, x, y, batch=512):
    model.eval()
    preds = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            preds.append(model(x[i:i + batch]).argmax(-1))
    model.train()
    p = torch.cat(preds)
    return (p == y).float().mean().item(), p


def export_classifier(model, mu, sigma, cfg, out, ref_features, ref_labels, input_extra=None):
    """Folds the standardisation into input_proj and writes the model folder: config.json,
    model.safetensors, head.safetensors, head.json (with "input": FEATURES, windows and `input_extra`)
    and reference/ (Java parity fixtures: 4 clips of `ref_features`, float64 recurrent outputs)."""
    model = model.cpu().float()
    with torch.no_grad():
        w = model.mamba.backbone.input_proj.weight / sigma[None, :]
        b = model.mamba.backbone.input_proj.bias - w @ mu
        model.mamba.backbone.input_proj.weight.copy_(w)
        model.mamba.backbone.input_proj.bias.copy_(b)
    ms.export(model.mamba, out)
    # ScanFlow's classification head format (io.scanflow.model.head); "input" says how the audio job makes
    # the backbone's input: TarsosDSP features over windows of the stream.
    ms.save_file({"classifier.weight": model.head.weight.detach().contiguous(),
               "classifier.bias": model.head.bias.detach().contiguous()},
              os.path.join(out, "head.safetensors"), metadata={"format": "pt"})
    head = {"format": "scanflow-classification-head", "version": 1, "labels": DIGITS, "pooling": "mean",
            "hidden_size": cfg["hidden_size"], "weights": "head.safetensors", "task": "spoken-digit classification",
            "input": dict(FEATURES, window_seconds=1.0, hop_seconds=0.5, **(input_extra or {}))}
    with open(os.path.join(out, "head.json"), "w") as f:
        json.dump(head, f, indent=2)

    ref = os.path.join(out, "reference")
    os.makedirs(ref, exist_ok=True)
    pick = [0, 211, 422, 633] if len(ref_features) > 633 else [0, 1]
    feats = ref_features[pick].float()
    hidden_states = ms.step_reference(model.mamba, feats)
    with torch.no_grad():
        pooled = hidden_states.mean(1)
        logits = pooled @ model.head.weight.double().T + model.head.bias.double()
    np.ascontiguousarray(feats.numpy(), "<f4").tofile(os.path.join(ref, "features.f32"))
    np.ascontiguousarray(pooled.numpy(), "<f8").tofile(os.path.join(ref, "pooled.f64"))
    np.ascontiguousarray(logits.numpy(), "<f8").tofile(os.path.join(ref, "logits.f64"))
    with open(os.path.join(ref, "meta.json"), "w") as f:
        json.dump({"clips": len(pick), "frames": feats.shape[1], "features": feats.shape[2], "test_indices": pick,
                   "labels": ref_labels[pick].tolist()}, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--seconds", type=float, default=90)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--tiny", action="store_true", help="small and short, to test the script on a CPU")
    args = ap.parse_args()
    torch.manual_seed(0)
    dev = torch.device(args.device)
    data = np.load(args.data)
    xtr = torch.tensor(data["train_features"].astype(np.float32))
    ytr = torch.tensor(data["train_labels"]).long()
    xte = torch.tensor(data["test_features"].astype(np.float32))
    yte = torch.tensor(data["test_labels"]).long()
    if args.tiny:
        xtr, ytr = xtr[::20], ytr[::20]
    mu, sigma = xtr.mean((0, 1)), xtr.std((0, 1)) + 1e-3
    norm = lambda x: ((x - mu) / sigma).to(dev)  # noqa: E731
    xtr_n, xte_n = norm(xtr), norm(xte)
    ytr, yte = ytr.to(dev), yte.to(dev)
    silence = xtr_n[:, 0:1, :].mean(0, keepdim=True)  # clips start with 0.1 s of silence

    hidden, layers = (16, 1) if args.tiny else (64, 3)
    cfg = ms.make_config(hidden, layers, features=xtr.shape[-1])
    model = Classifier(cfg, len(DIGITS)).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    batch = 128
    start = time.time()
    step, epoch = 0, 0
    total_steps_guess = None
    history = []
    while time.time() - start < args.seconds:
        perm = torch.randperm(len(xtr_n), device=dev)
        for i in range(0, len(perm) - batch + 1, batch):
            idx = perm[i:i + batch]
            loss = train_step(model, opt, xtr_n[idx], ytr[idx], silence,
                              3e-3, (time.time() - start) / args.seconds)
            step += 1
        epoch += 1
        if epoch % 5 == 0:
            acc, _ = evaluate(model, xte_n, yte)
            history.append({"epoch": epoch, "seconds": round(time.time() - start, 1), "loss": loss.item(), "test_acc": acc})
            print(history[-1], flush=True)
    train_acc, _ = evaluate(model, xtr_n, ytr)
    test_acc, pred = evaluate(model, xte_n, yte)
    confusion = np.zeros((10, 10), dtype=int)
    for t, p in zip(yte.cpu().numpy(), pred.cpu().numpy()):
        confusion[t, p] += 1
    voices = data["test_voices"]
    print(f"classifier: {epoch} epochs, {step} steps, train acc {train_acc:.4f}, test acc {test_acc:.4f}", flush=True)

    export_classifier(model, mu, sigma, cfg, args.out, xte, yte.cpu())
    per_voice = {}
    for v, t, p in zip(voices, yte.cpu().numpy(), pred.cpu().numpy()):
        c = per_voice.setdefault(str(v), [0, 0])
        c[0] += int(t == p)
        c[1] += 1
    worst = sorted(per_voice.items(), key=lambda kv: kv[1][0] / kv[1][1])[:5]
    metrics = {"test_accuracy": test_acc, "train_accuracy": train_acc, "test_clips": len(yte),
               "test_voices": len(per_voice), "train_clips": len(ytr), "epochs": epoch, "steps": step,
               "seconds": round(time.time() - start, 1), "confusion": confusion.tolist(), "labels": DIGITS,
               "worst_test_voices": worst, "history": history, "config": cfg}
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)


if __name__ == "__main__":
    main()
