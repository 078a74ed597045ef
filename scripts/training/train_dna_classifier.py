"""Trains ScanFlow's ape / primate mtDNA read classifier and exports it for the Java loader.

Model: a tiny Mamba-1 backbone in the Hugging Face layout (`transformers.MambaModel` where
transformers is installed, else the identical scripts/training/mamba.py), the final hidden states
(after norm_f) mean-pooled over the read, then one linear layer to the labels.
Input: the read's bases in sequencing orientation, one token per base, no special tokens
(A=4 C=5 G=6 T=7 N=8; the vocabulary is written into config.json as `dna_vocabulary`).
Training: class-balanced batches, reverse-complement augmentation (p = 0.5), AdamW, cosine
schedule, stopped by --steps or --time-budget, whichever comes first.

Exports to OUT/:
  config.json, model.safetensors   HF MambaForCausalLM layout (tied LM head), float32
  head.json, head.safetensors      labels, pooling, classifier.weight [labels, hidden], classifier.bias
  reference/                       float64 outputs of the exported weights for the Java parity test:
    tokens.i32 [B, Lmax] (pad 0), lengths.i32 [B], pooled.f64 [B, hidden], logits.f64 [B, labels]
  metrics.json                     test accuracy (per read, per read excluding ambiguous reads,
                                   per sample), confusion matrix, identical-read counts, throughput

Usage: python3 train_dna_classifier.py --train train.sam --test test.sam --refs refs.fa --out DIR
"""
import argparse
import collections
import gzip
import json
import math
import os
import re
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ape_data import read_fasta  # noqa: E402
from mamba import Backbone, save_file  # noqa: E402

LABELS = ["human", "chimpanzee", "bonobo", "gorilla", "orangutan", "gibbon", "macaque",
          "squirrel_monkey", "tarsier", "lemur"]
VOCAB = ["<pad>", "<begin>", "<end>", "<sep>", "A", "C", "G", "T", "N"]
PAD = 0
BASE_TOKEN = np.full(256, VOCAB.index("N"), dtype=np.int64)
for i, b in enumerate("ACGT"):
    BASE_TOKEN[ord(b)] = BASE_TOKEN[ord(b.lower())] = VOCAB.index(b)
# Reverse complement on token ids: A<->T, C<->G, N and specials stay.
RC_TOKEN = torch.arange(len(VOCAB))
RC_TOKEN[4], RC_TOKEN[5], RC_TOKEN[6], RC_TOKEN[7] = 7, 6, 5, 4
COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


def read_sam(path, refs=None):
    """Reads in sequencing orientation (reverse-strand records reverse-complemented back),
    with label (from the read name), sample (RG) and, given refs, whether the true sequence
    also occurs in a reference of another label (an ambiguous read)."""
    others = None
    if refs is not None:
        by_label = collections.defaultdict(list)
        for name, seq in refs.items():
            by_label[name.split(".")[0]] += [seq, seq.translate(COMPLEMENT)[::-1]]
        others = by_label
    reads = []
    for line in (gzip.open(path, "rt") if path.endswith(".gz") else open(path)):
        if line.startswith("@"):
            continue
        f = line.rstrip("\n").split("\t")
        seq = f[9]
        if int(f[1]) & 16:
            seq = seq.translate(COMPLEMENT)[::-1]
        label = f[0].split(".")[0]
        rg = next((t[5:] for t in f[11:] if t.startswith("RG:Z:")), "")
        amb = None
        if others is not None:
            pos = int(f[3])
            span = sum(int(n) for n, op in re.findall(r"(\d+)([MIDNSHP=X])", f[5]) if op in "MDN=X")
            truth = refs[f[2]][pos - 1:pos - 1 + span]
            amb = {o for o, seqs in others.items() if o != label and any(truth in s for s in seqs)}
        reads.append((f[0], label, rg, seq, amb))
    return reads


def encode(reads, max_len):
    tokens = np.zeros((len(reads), max_len), dtype=np.int64)
    lengths = np.zeros(len(reads), dtype=np.int64)
    for i, r in enumerate(reads):
        b = np.frombuffer(r[3].encode("ascii"), dtype=np.uint8)[:max_len]
        tokens[i, :len(b)] = BASE_TOKEN[b]
        lengths[i] = len(b)
    labels = np.array([LABELS.index(r[1]) for r in reads], dtype=np.int64)
    return torch.from_numpy(tokens), torch.from_numpy(lengths), torch.from_numpy(labels)


def reverse_complement(tokens, lengths):
    """Per row: reverse the first `length` tokens and complement them; padding stays at the end."""
    b, l = tokens.shape
    idx = torch.arange(l, device=tokens.device)[None, :].expand(b, l)
    src = (lengths[:, None] - 1 - idx).clamp(min=0)
    rc = RC_TOKEN.to(tokens.device)[torch.gather(tokens, 1, src)]
    return torch.where(idx < lengths[:, None], rc, tokens)


class Classifier(nn.Module):
    def __init__(self, backbone, hidden, n_labels):
        super().__init__()
        self.backbone = backbone
        self.classifier = nn.Linear(hidden, n_labels)

    def pooled(self, tokens, lengths):
        out = self.backbone(input_ids=tokens)
        h = out.last_hidden_state if hasattr(out, "last_hidden_state") else out
        mask = (torch.arange(tokens.shape[1], device=tokens.device)[None, :] < lengths[:, None]).to(h.dtype)
        return (h * mask[..., None]).sum(1) / lengths[:, None].to(h.dtype)

    def forward(self, tokens, lengths):
        return self.classifier(self.pooled(tokens, lengths))


def make_backbone(cfg, impl):
    if impl == "hf":
        import transformers
        hf_cfg = transformers.MambaConfig(
            vocab_size=cfg["vocab_size"], hidden_size=cfg["hidden_size"], state_size=cfg["state_size"],
            num_hidden_layers=cfg["num_hidden_layers"], expand=cfg["intermediate_size"] // cfg["hidden_size"],
            conv_kernel=cfg["conv_kernel"], time_step_rank=cfg["time_step_rank"], use_bias=cfg["use_bias"],
            use_conv_bias=cfg["use_conv_bias"], layer_norm_epsilon=cfg["layer_norm_epsilon"],
            residual_in_fp32=True, tie_word_embeddings=True, pad_token_id=0, bos_token_id=1, eos_token_id=2)
        return transformers.MambaModel(hf_cfg)
    return Backbone(dict(cfg, scan="loop" if impl == "ref" else "parallel"))


def seconds_per_step(impl, cfg, device, batch, length, labels):
    """Time of one training step (forward, backward, update) with a backbone implementation."""
    model = Classifier(make_backbone(cfg, impl), cfg["hidden_size"], labels).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    t = torch.randint(4, 8, (batch, length), device=device)
    n = torch.full((batch,), length, device=device)
    y = torch.randint(0, labels, (batch,), device=device)
    times = []
    for _ in range(4):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        loss = nn.functional.cross_entropy(model(t, n), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return min(times[1:])


def dict_cfg(args):
    return {"vocab_size": len(VOCAB), "hidden_size": args.hidden, "state_size": args.state,
            "num_hidden_layers": args.layers, "intermediate_size": 2 * args.hidden, "conv_kernel": 4,
            "time_step_rank": math.ceil(args.hidden / 16), "use_bias": False, "use_conv_bias": True,
            "layer_norm_epsilon": 1e-5, "dna_vocabulary": VOCAB}


def check_against_reference(backbone, cfg):
    """HF's backbone and scripts/training/mamba.py give the same hidden states (float64, CPU)."""
    with torch.no_grad():
        for p in backbone.parameters():
            p.add_(0.1 * torch.randn_like(p))
    ref = Backbone(dict(cfg, scan="loop"))
    ref.load_state_dict({k: v.detach().cpu() for k, v in backbone.state_dict().items()})
    hf = type(backbone)(backbone.config).double()
    hf.load_state_dict({k: v.detach().cpu().double() for k, v in backbone.state_dict().items()})
    tokens = torch.randint(4, 9, (3, 37))
    with torch.no_grad():
        a = hf(input_ids=tokens).last_hidden_state
        b = ref.double()(tokens)
    return float((a - b).abs().max() / b.abs().max())


def evaluate(model, tokens, lengths, batch, device):
    model.eval()
    probs = []
    with torch.no_grad():
        for i in range(0, len(tokens), batch):
            t = tokens[i:i + batch].to(device)
            n = lengths[i:i + batch].to(device)
            probs.append(torch.softmax(model(t, n).float(), -1).cpu())
    model.train()
    return torch.cat(probs)


def metrics(reads, probs):
    pred = probs.argmax(-1).numpy()
    truth = np.array([LABELS.index(r[1]) for r in reads])
    ok = pred == truth
    unamb = np.array([not r[4] for r in reads])
    confusion = np.zeros((len(LABELS), len(LABELS)), dtype=int)
    for t, p in zip(truth, pred):
        confusion[t, p] += 1
    samples = collections.OrderedDict()
    for r, p in zip(reads, pred):
        samples.setdefault(r[2], []).append((r[1], LABELS[p]))
    sample_ok = []
    for s, rows in samples.items():
        truth_s = collections.Counter(t for t, _ in rows).most_common(1)[0][0]
        votes = collections.Counter(p for _, p in rows)
        sample_ok.append((s, len(rows), truth_s, votes.most_common(1)[0][0], dict(votes)))
    per_class = {}
    for i, lab in enumerate(LABELS):
        m = truth == i
        per_class[lab] = {"reads": int(m.sum()), "correct": int(ok[m].sum()),
                          "unambiguous_reads": int((m & unamb).sum()),
                          "unambiguous_correct": int((ok & m & unamb).sum())}
    cb = [r for r in reads if r[1] in ("chimpanzee", "bonobo")]
    big = [s for s in sample_ok if s[1] >= 50]
    return {
        "reads": int(len(reads)),
        "read_accuracy": float(ok.mean()),
        "unambiguous_reads": int(unamb.sum()),
        "unambiguous_read_accuracy": float(ok[unamb].mean()),
        "ambiguous_reads": int((~unamb).sum()),
        "chimpanzee_bonobo_identical_reads": int(sum(1 for r in cb if ({"chimpanzee", "bonobo"} - {r[1]}) & r[4])),
        "samples": len(sample_ok),
        "samples_ge50": len(big),
        "sample_accuracy_ge50": float(np.mean([s[2] == s[3] for s in big])) if big else None,
        "wrong_samples": [s for s in sample_ok if s[2] != s[3]],
        "per_class": per_class,
        "labels": LABELS,
        "confusion": confusion.tolist(),
    }


def save_safetensors(tensors, path, metadata=None):
    save_file({k: v.detach().float().contiguous().cpu() for k, v in tensors.items()}, path,
              metadata=metadata or {"format": "pt"})


def export(model, cfg, out, ref_tokens, ref_lengths):
    os.makedirs(os.path.join(out, "reference"), exist_ok=True)
    backbone = {"backbone." + k: v for k, v in model.backbone.state_dict().items()}
    save_safetensors(backbone, os.path.join(out, "model.safetensors"))
    config = dict(cfg)
    config.update({"architectures": ["MambaForCausalLM"], "model_type": "mamba", "expand": 2,
                   "hidden_act": "silu", "residual_in_fp32": True, "tie_word_embeddings": True,
                   "pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 2, "dtype": "float32"})
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    save_safetensors({"classifier.weight": model.classifier.weight, "classifier.bias": model.classifier.bias},
                     os.path.join(out, "head.safetensors"))
    head = {"format": "scanflow-classification-head", "version": 1, "task": "read-classification",
            "labels": LABELS, "pooling": "mean", "hidden_size": cfg["hidden_size"],
            "weights": "head.safetensors", "input": "bases"}
    with open(os.path.join(out, "head.json"), "w") as f:
        json.dump(head, f, indent=2)
    # Float64 reference of the exported (float32) weights.
    m64 = Classifier(make_backbone(cfg, "ref"), cfg["hidden_size"], len(LABELS))
    m64.backbone.load_state_dict({k[len("backbone."):]: v.cpu() for k, v in backbone.items()})
    m64.classifier.load_state_dict({k: v.cpu() for k, v in model.classifier.state_dict().items()})
    m64 = m64.double().eval()
    with torch.no_grad():
        pooled = m64.pooled(ref_tokens, ref_lengths)
        logits = m64.classifier(pooled)
    ref = os.path.join(out, "reference")
    ref_tokens.numpy().astype("<i4").tofile(os.path.join(ref, "tokens.i32"))
    ref_lengths.numpy().astype("<i4").tofile(os.path.join(ref, "lengths.i32"))
    pooled.numpy().astype("<f8").tofile(os.path.join(ref, "pooled.f64"))
    logits.numpy().astype("<f8").tofile(os.path.join(ref, "logits.f64"))
    with open(os.path.join(ref, "meta.json"), "w") as f:
        json.dump({"batch": int(ref_tokens.shape[0]), "max_length": int(ref_tokens.shape[1]),
                   "hidden": cfg["hidden_size"], "labels": len(LABELS), "dtype": "float64",
                   "torch": torch.__version__}, f, indent=2)
    return m64


def throughput(model, device, batch, length, repeats=5):
    tokens = torch.randint(4, 8, (batch, length), device=device)
    lengths = torch.full((batch,), length, device=device)
    model.eval()
    with torch.no_grad():
        model(tokens, lengths)
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(repeats):
            model(tokens, lengths)
        if device.type == "cuda":
            torch.cuda.synchronize()
        dt = (time.perf_counter() - t0) / repeats
    model.train()
    return {"batch": batch, "length": length, "seconds": dt, "bases_per_second": batch * length / dt}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--refs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--state", type=int, default=4)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--time-budget", type=float, default=140.0, help="seconds of training at most")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--max-len", type=int, default=150)
    p.add_argument("--limit-train", type=int, default=0, help="use only this many training reads (tests)")
    p.add_argument("--impl", choices=["auto", "hf", "ref", "fast"], default="auto",
                   help="hf: transformers.MambaModel; ref: mamba.py step loop; fast: mamba.py "
                        "parallel scan; auto: the faster of hf and fast (same parameters, same function)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--throughput-batch", type=int, default=1024)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        import transformers  # noqa: F401
        have_hf = True
    except ImportError:
        have_hf = False
    impl = args.impl
    step_times = {}
    if impl == "auto":
        impl = "fast"
        if have_hf:
            for cand in ("hf", "fast"):
                step_times[cand] = seconds_per_step(cand, dict_cfg(args), device, args.batch, args.max_len, len(LABELS))
            impl = min(step_times, key=step_times.get)
    print(f"device {device}, backbone {impl}, seconds per step {step_times}, torch {torch.__version__}", flush=True)

    refs = read_fasta(args.refs)
    train = read_sam(args.train)
    if args.limit_train:
        train = [train[i] for i in rng.permutation(len(train))[:args.limit_train]]
    test = read_sam(args.test, refs)
    tr_tok, tr_len, tr_lab = encode(train, args.max_len)
    te_tok, te_len, te_lab = encode(test, args.max_len)
    counts = torch.bincount(tr_lab, minlength=len(LABELS)).float()
    weights = (1.0 / counts.clamp(min=1))[tr_lab]
    print(f"train {len(train)} reads, test {len(test)} reads; train per label {counts.int().tolist()}", flush=True)

    cfg = dict_cfg(args)
    backbone = make_backbone(cfg, impl)
    hf_vs_ref = check_against_reference(make_backbone(cfg, "hf"), cfg) if have_hf else None
    print(f"HF MambaModel vs mamba.py, max relative difference (float64): {hf_vs_ref}", flush=True)
    model = Classifier(backbone, args.hidden, len(LABELS)).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    loss_fn = nn.CrossEntropyLoss()
    tr_tok, tr_len, tr_lab, weights = tr_tok.to(device), tr_len.to(device), tr_lab.to(device), weights.to(device)
    start = time.time()
    step = 0
    while step < args.steps and time.time() - start < args.time_budget:
        frac = min(1.0, max((time.time() - start) / args.time_budget, step / args.steps))
        for g in opt.param_groups:
            g["lr"] = args.lr * (min(1.0, (step + 1) / 100) * 0.5 * (1 + math.cos(math.pi * frac)))
        idx = torch.multinomial(weights, args.batch, replacement=True)
        t, n, y = tr_tok[idx], tr_len[idx], tr_lab[idx]
        flip = torch.rand(args.batch, device=device) < 0.5
        t = torch.where(flip[:, None], reverse_complement(t, n), t)
        loss = loss_fn(model(t, n), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 100 == 0 or step == 1:
            acc = (model(t, n).argmax(-1) == y).float().mean().item() if step % 500 == 0 else float("nan")
            print(f"step {step} t={time.time() - start:.0f}s loss {loss.item():.4f} batch-acc {acc:.3f}", flush=True)
    train_seconds = time.time() - start

    probs = evaluate(model, te_tok, te_len, 1024, device)
    result = metrics(test, probs)
    result.update({"train_steps": step, "train_seconds": train_seconds, "device": str(device),
                   "backbone": impl, "config": cfg, "train_reads": len(train),
                   "hf_vs_reference_max_rel_diff": hf_vs_ref,
                   "seconds_per_step": step_times})
    print(json.dumps({k: v for k, v in result.items() if k not in ("confusion", "per_class")}, indent=1), flush=True)

    model = model.cpu().float()
    # Reference reads for the Java parity test: the first read of each label in the test set.
    pick = [next(i for i, r in enumerate(test) if r[1] == lab) for lab in LABELS]
    lmax = int(te_len[pick].max())
    m64 = export(model, cfg, args.out, te_tok[pick, :lmax].clone(), te_len[pick].clone())
    # The shipped (float32) model and the float64 reference implementation agree on the test reads.
    with torch.no_grad():
        p64 = torch.softmax(m64(te_tok[:512], te_len[:512]), -1)
        p32 = evaluate(model, te_tok[:512], te_len[:512], 512, torch.device("cpu"))
    result["export_max_prob_diff_f32_vs_f64_ref"] = float((p64 - p32.double()).abs().max())
    if device.type == "cuda":
        # Inference throughput of the trained classifier (PyTorch on this GPU), per implementation.
        result["throughput"] = {}
        for cand in (["hf"] if have_hf else []) + ["fast"]:
            m = Classifier(make_backbone(cfg, cand), cfg["hidden_size"], len(LABELS))
            m.load_state_dict(model.state_dict())
            m = m.to(device)
            try:
                result["throughput"][cand + "_fp32"] = throughput(m, device, args.throughput_batch, 150)
                with torch.autocast("cuda", dtype=torch.bfloat16):
                    result["throughput"][cand + "_bf16_autocast"] = throughput(m, device, args.throughput_batch, 150)
            except Exception as e:  # noqa: BLE001
                result["throughput"][cand + "_error"] = str(e)
            del m
            torch.cuda.empty_cache()
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps({k: result.get(k) for k in ("export_max_prob_diff_f32_vs_f64_ref", "throughput")}, indent=1))


if __name__ == "__main__":
    main()
