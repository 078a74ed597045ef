"""Trains the sample-level mu-law generator: a small token Mamba (256 mu-law levels, 8 kHz) on the speech
part of the spoken-digit corpus, next-sample prediction.

Reports test NLL in bits per sample on held-out voices next to a unigram baseline (the training set's
level frequencies, add-one smoothed, scored on the same test samples). Test scoring: the test stream cut
into non-overlapping 2048-sample windows, each read from a fresh state, every position but the first of
a window scored (so the figure slightly overstates the NLL of a model reading whole clips).

Writes OUT_DIR/: config.json, model.safetensors (HF MambaForCausalLM layout), audio.json, reference/
(Java parity fixtures) and metrics.json (with the training set's level counts, train_level_counts, which
`scanflow audio-score` reads for its training-side unigram baseline).

Usage: python3 train_mulaw_generator.py DATA.npz OUT_DIR [--seconds S] [--device cuda|cpu] [--tiny]
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mamba as ms  # noqa: E402

LN2 = math.log(2)


def windows(stream, length):
    n = (len(stream) - 1) // length
    return stream[: n * length].reshape(n, length)


def test_nll_bits(model, test, dev, length=2048, batch=64):
    model.eval()
    w = torch.tensor(windows(test, length).astype(np.int64))
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(w), batch):
            x = w[i:i + batch].to(dev)
            logits = model.lm_head(model(x[:, :-1]))
            total += F.cross_entropy(logits.reshape(-1, 256), x[:, 1:].reshape(-1), reduction="sum").item()
            count += x[:, 1:].numel()
    model.train()
    return total / count / LN2, count


def unigram_bits(train, test, length=2048):
    counts = np.bincount(train, minlength=256).astype(np.float64) + 1.0
    p = counts / counts.sum()
    scored = windows(test, length)[:, 1:].ravel()
    return float(-np.log2(p[scored]).mean())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--window", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--init", help="model folder to continue training from (same config)")
    ap.add_argument("--test-limit", type=int, default=0, help="score only this many test samples (quick checks)")
    args = ap.parse_args()
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    dev = torch.device(args.device)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
    data = np.load(args.data)
    train, test = data["train_mulaw"], data["test_mulaw"]
    rate = int(data["gen_rate"])
    if args.tiny:
        test = test[:20000]
    if args.test_limit:
        test = test[:args.test_limit]
    hidden, layers = (16, 1) if args.tiny else (64, 3)
    cfg = ms.make_config(hidden, layers, vocab=256)
    model = ms.MambaModel(cfg)
    if args.init:
        model.load_state_dict(ms.load_file(os.path.join(args.init, "model.safetensors")))
        print(f"continuing from {args.init}", flush=True)
    model = model.to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.95))
    train_dev = torch.tensor(train.astype(np.int64), device=dev)
    length, batch = args.window, args.batch
    start, step, history = time.time(), 0, []
    while time.time() - start < args.seconds:
        frac = (time.time() - start) / args.seconds
        lr = args.lr * min(1.0, step / 100) * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0)))
        for g in opt.param_groups:
            g["lr"] = lr
        starts = torch.tensor(rng.integers(0, len(train) - length - 1, size=batch), device=dev)
        x = train_dev[starts[:, None] + torch.arange(length + 1, device=dev)[None, :]]
        opt.zero_grad(set_to_none=True)
        try:
            logits = model.lm_head(model(x[:, :-1]))
            loss = F.cross_entropy(logits.reshape(-1, 256), x[:, 1:].reshape(-1))
            loss.backward()
        except torch.cuda.OutOfMemoryError:
            logits = loss = None
            torch.cuda.empty_cache()
            batch //= 2
            print(f"out of memory: batch {batch} from now on", flush=True)
            continue
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 100 == 0:
            history.append({"step": step, "seconds": round(time.time() - start, 1), "train_bits": loss.item() / LN2})
            print(history[-1], flush=True)
    nll, scored = test_nll_bits(model, test, dev)
    uni = unigram_bits(train, test)
    print(f"generator: {step} steps, test NLL {nll:.3f} bits/sample, unigram {uni:.3f} bits/sample", flush=True)

    model = model.cpu().float()
    ms.export(model, args.out)
    with open(os.path.join(args.out, "audio.json"), "w") as f:
        json.dump({"task": "generation", "sample_rate": rate, "encoding": "mu-law-8"}, f, indent=2)
    ref = os.path.join(args.out, "reference")
    os.makedirs(ref, exist_ok=True)
    tokens = torch.tensor(windows(test, 48)[[3, 400]].astype(np.int64))
    with torch.no_grad():
        hid = ms.step_reference(model, tokens)
        logits = hid @ model.lm_head.weight.double().T
    np.ascontiguousarray(tokens.numpy(), "<i4").tofile(os.path.join(ref, "tokens.i32"))
    np.ascontiguousarray(logits.numpy(), "<f8").tofile(os.path.join(ref, "logits.f64"))
    with open(os.path.join(ref, "meta.json"), "w") as f:
        json.dump({"batch": 2, "length": 48, "vocab": 256}, f)
    parity = hf_parity(args.out, tokens, logits)
    metrics = {"test_nll_bits_per_sample": nll, "unigram_bits_per_sample": uni, "scored_test_samples": scored,
               "train_samples": int(len(train)), "train_level_counts": np.bincount(train, minlength=256).tolist(),
               "sample_rate": rate, "steps": step, "window": length,
               "batch": batch, "seconds": round(time.time() - start, 1), "history": history, "config": cfg,
               "continued_from": args.init, "lr": args.lr,
               "hf_parity": parity}
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)


def hf_parity(model_dir, tokens, logits):
    """Max relative difference between HF transformers' MambaForCausalLM (float64, slow path) and ours."""
    try:
        from transformers import MambaForCausalLM
    except ImportError:
        return "transformers not installed"
    hf = MambaForCausalLM.from_pretrained(model_dir).double().eval()
    with torch.no_grad():
        out = hf(tokens, use_cache=False).logits
    return float(((out - logits).abs().max() / logits.abs().max()).item())


if __name__ == "__main__":
    main()
