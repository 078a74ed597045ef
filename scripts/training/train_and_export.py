"""Train a small Transformer-PSM and a same-size Mamba the same way on a state-tracking task,
measure length generalization, export the PSM for ScanFlow and write float64 reference outputs.

  python3 scripts/training/train_and_export.py --out OUT [--attempts s3:4,s3:2] [--deadline 270] [--device cuda]

Writes under OUT:
  model/config.json, model/model.safetensors     the trained Transformer-PSM (models/transformer-psm)
  reference/                                     float64 re-run on a few sequences (testdata/psm)
      meta.json                                  sequences, shapes, parallel-vs-sequential gap
      <name>.tokens.i32   int32 LE [L]
      <name>.logits.f64   float64 LE [L, V]      parallel (Blelloch) order
      <name>.prefixes.f64 float64 LE [n+1, c, d] prefix states s_0..s_n, parallel order
                                                 (short sequences only, see meta.json)
  results.json, results.md                       accuracy at 1x, 2x, 4x, 8x the training length
  train.log

Both models: same data stream (fresh random sequences every step), same steps, batch, AdamW
settings, warmup + cosine schedule and gradient clipping; loss = cross-entropy at every position.
"""
import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamba import MambaLM  # noqa: E402
from state_tracking import StateTracking  # noqa: E402
from transformer_psm import TransformerPSM  # noqa: E402

LOG = []
START = time.time()


def log(msg):
    print(msg, flush=True)
    LOG.append(msg)


def params(model):
    return sum(p.numel() for p in model.parameters())


def make_optimizer(model, args):
    fused = next(model.parameters()).is_cuda
    return torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01, fused=fused)


def train_step(model, opt, data, args, gen, lr):
    for g in opt.param_groups:
        g["lr"] = lr
    x, y = data.batch(args.batch, args.train_len, gen)
    logits, _ = model(x)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return logits, y, loss


def seconds_per_step(model, data, args, device):
    """Times training steps on a throwaway copy (the model itself is left untouched)."""
    probe = copy.deepcopy(model)
    opt = make_optimizer(probe, args)
    gen = torch.Generator(device=device).manual_seed(args.seed + 99)
    for i in range(25):
        if i == 5:
            if device.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.time()
        train_step(probe, opt, data, args, gen, args.lr)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.time() - t0) / 20


def train(name, model, data, args, device, steps, time_cap):
    """AdamW, linear warmup then cosine decay to 2% over `steps` steps, clip 1.0, fresh data every step."""
    opt = make_optimizer(model, args)
    gen = torch.Generator(device=device).manual_seed(args.seed)
    start = time.time()
    step = 0
    acc = 0.0
    for step in range(1, steps + 1):
        lr = args.lr * min(1.0, step / args.warmup) * max(0.02, 0.5 * (1 + math.cos(math.pi * step / steps)))
        logits, y, loss = train_step(model, opt, data, args, gen, lr)
        if step % args.log_every == 0 or step == 1 or step == steps:
            acc = (logits.argmax(-1) == y).float().mean().item()
            log(f"{name} step {step} loss {loss.item():.4f} acc {acc:.4f} {time.time() - start:.1f}s")
        if time.time() - start > time_cap or time.time() - START > args.deadline - 25:
            log(f"{name}: safety time cap reached at step {step} of {steps}")
            break
    return step, time.time() - start, acc


@torch.no_grad()
def evaluate(model, data, lengths, args, device):
    model.eval()
    out = {}
    for length in lengths:
        gen = torch.Generator(device=device).manual_seed(args.seed + 1000 + length)
        correct = total = beyond_correct = beyond_total = 0
        for _ in range(args.eval_batches):
            x, y = data.batch(args.eval_batch, length, gen)
            pred = model(x)[0].argmax(-1)
            ok = pred == y
            correct += ok.sum().item()
            total += ok.numel()
            if length > args.train_len:
                beyond_correct += ok[:, args.train_len:].sum().item()
                beyond_total += ok[:, args.train_len:].numel()
        out[length] = {"acc": correct / total,
                       "acc_beyond_train": beyond_correct / beyond_total if beyond_total else None}
    model.train()
    return out


def write(path, array, dtype):
    np.ascontiguousarray(array, dtype=dtype).tofile(path)


@torch.no_grad()
def reference(model, data, ref_dir, lengths, seed, prefix_max_chunks):
    """Float64 re-run of the exported model: parallel order and sequential (streaming) order."""
    os.makedirs(ref_dir, exist_ok=True)
    m = model.to("cpu", torch.float64).eval()
    gen = torch.Generator().manual_seed(seed)
    cpu_data = StateTracking(data.task, "cpu")
    seqs = []
    for k, length in enumerate(lengths):
        x, y = cpu_data.batch(1, length, gen)
        logits, prefixes = m(x)
        logits_s, prefixes_s = m.stream(x[0])
        gap = max((logits[0] - logits_s).abs().max().item(), (prefixes[0] - prefixes_s).abs().max().item())
        name = f"seq{k}"
        write(os.path.join(ref_dir, f"{name}.tokens.i32"), x[0].numpy(), "<i4")
        write(os.path.join(ref_dir, f"{name}.logits.f64"), logits[0].numpy(), "<f8")
        with_prefixes = length // m.c <= prefix_max_chunks
        if with_prefixes:
            write(os.path.join(ref_dir, f"{name}.prefixes.f64"), prefixes[0].numpy(), "<f8")
        acc = (logits[0].argmax(-1) == y[0]).float().mean().item()
        seqs.append({"name": name, "length": length, "chunks": length // m.c, "tail": length % m.c,
                     "prefixes": with_prefixes, "task_accuracy": acc,
                     "max_abs_gap_parallel_vs_sequential": gap})
        log(f"reference {name}: length {length}, task accuracy {acc:.4f}, "
            f"parallel vs sequential float64 gap {gap:.3e}")
    meta = {"vocab": m.cfg["vocab_size"], "hidden": m.cfg["hidden_size"], "chunk_size": m.c,
            "dtype": "float64", "order": "parallel (Blelloch, ScanFlow bracket order)",
            "sequences": seqs, "torch": torch.__version__}
    with open(os.path.join(ref_dir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--attempts", default="s3:4,s3:2",
                   help="task:chunk_size pairs tried in order; the first on which the PSM reaches "
                        "--min-psm-acc at the training length is kept (and the Mamba trained on it)")
    p.add_argument("--min-psm-acc", type=float, default=0.97)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--steps", type=int, default=20000, help="upper bound; the time limit usually decides")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--warmup", type=int, default=150)
    p.add_argument("--train-len", type=int, default=64)
    p.add_argument("--eval-batch", type=int, default=256)
    p.add_argument("--eval-batches", type=int, default=2)
    p.add_argument("--deadline", type=float, default=270.0, help="seconds from start for the whole run")
    p.add_argument("--reserve", type=float, default=35.0, help="seconds kept for evaluation and export")
    p.add_argument("--first-budget", type=float, default=130.0,
                   help="training seconds (both models) for an attempt that is not the last")
    p.add_argument("--log-every", type=int, default=250)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--d", type=int, default=64)
    p.add_argument("--heads", type=int, default=2)
    p.add_argument("--ffn", type=int, default=128)
    p.add_argument("--enc-layers", type=int, default=2)
    p.add_argument("--agg-layers", type=int, default=1)
    p.add_argument("--inf-layers", type=int, default=2)
    p.add_argument("--mamba-layers", type=int, default=5)
    p.add_argument("--ref-lengths", default="37,61,109,512")
    p.add_argument("--ref-prefix-max-chunks", type=int, default=64,
                   help="prefix states are written only for reference sequences of at most this many chunks")
    p.add_argument("--skip-mamba", action="store_true")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    device = torch.device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = False  # keep training numerics plain float32
    log(f"torch {torch.__version__}, device {device}"
        + (f" ({torch.cuda.get_device_name()})" if device.type == "cuda" else ""))
    log(f"args {vars(args)}")

    lengths = [args.train_len * k for k in (1, 2, 4, 8)]
    attempts = [(a.split(":")[0], int(a.split(":")[1])) for a in args.attempts.split(",")]
    results = {"train_len": args.train_len, "batch": args.batch, "lr": args.lr, "attempts": []}
    for t, (task, chunk) in enumerate(attempts):
        data = StateTracking(task, device)
        torch.manual_seed(args.seed)
        psm = TransformerPSM(data.vocab, args.d, args.heads, chunk, args.ffn,
                             args.enc_layers, args.agg_layers, args.inf_layers).to(device)
        torch.manual_seed(args.seed)
        mamba = MambaLM(data.vocab, args.d, args.mamba_layers).to(device)
        log(f"attempt {task} c={chunk}: parameters transformer-psm {params(psm)}, mamba {params(mamba)}")
        # Both models get the same number of steps: what fits in this attempt's share of the time left.
        psm_s = seconds_per_step(psm, data, args, device)
        mamba_s = seconds_per_step(mamba, data, args, device)
        left = args.deadline - (time.time() - START) - args.reserve
        last = t + 1 == len(attempts)
        budget = left if last else min(left, args.first_budget)
        steps = max(args.warmup, min(args.steps, int(budget / (psm_s + mamba_s))))
        log(f"attempt {task} c={chunk}: {psm_s * 1000:.1f} ms/step transformer-psm, {mamba_s * 1000:.1f} ms/step "
            f"mamba, {left:.0f}s left, {steps} steps each")
        p_steps, seconds, _ = train("transformer_psm", psm, data, args, device, steps, 1.5 * steps * psm_s + 10)
        acc = evaluate(psm, data, lengths, args, device)
        log(f"transformer_psm on {task} c={chunk}: {p_steps} steps in {seconds:.1f}s, accuracy {json.dumps(acc)}")
        attempt = {"task": task, "chunk_size": chunk, "steps": steps,
                   "params": {"transformer_psm": params(psm), "mamba": params(mamba)},
                   "models": {"transformer_psm": {"steps": p_steps, "train_seconds": seconds, "accuracy": acc}}}
        results["attempts"].append(attempt)
        if acc[args.train_len]["acc"] < args.min_psm_acc and not last:
            log(f"transformer_psm reached {acc[args.train_len]['acc']:.4f} < {args.min_psm_acc} "
                f"at the training length; next attempt {attempts[t + 1]}")
            continue
        if not args.skip_mamba:
            m_steps, m_seconds, _ = train("mamba", mamba, data, args, device, steps, 1.5 * steps * mamba_s + 10)
            m_acc = evaluate(mamba, data, lengths, args, device)
            attempt["models"]["mamba"] = {"steps": m_steps, "train_seconds": m_seconds, "accuracy": m_acc}
            log(f"mamba on {task}: {m_steps} steps in {m_seconds:.1f}s, accuracy {json.dumps(m_acc)}")
        break
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    psm.export(os.path.join(args.out, "model"), {"task": task, "trained_length": args.train_len})
    ref_lengths = [int(v) for v in args.ref_lengths.split(",")]
    reference(psm, data, os.path.join(args.out, "reference"), ref_lengths, args.seed + 7, args.ref_prefix_max_chunks)

    rows = ["| length | x train | Transformer-PSM acc | PSM acc beyond train length | Mamba acc | Mamba acc beyond train length |",
            "|---:|---:|---:|---:|---:|---:|"]
    for length in lengths:
        cells = []
        for name in ("transformer_psm", "mamba"):
            a = attempt["models"].get(name, {}).get("accuracy", {}).get(length)
            cells += ["-", "-"] if a is None else [f"{a['acc']:.4f}",
                                                   "-" if a["acc_beyond_train"] is None else f"{a['acc_beyond_train']:.4f}"]
        rows.append(f"| {length} | {length // args.train_len} | " + " | ".join(cells) + " |")
    table = (f"Task {task}, chunk size {attempt['chunk_size']}, trained at length {args.train_len}, {attempt['steps']} steps each; "
             f"parameters {attempt['params']}\n\n" + "\n".join(rows))
    log(table)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(args.out, "train.log"), "w") as f:
        f.write("\n".join(LOG) + "\n")


if __name__ == "__main__":
    main()
