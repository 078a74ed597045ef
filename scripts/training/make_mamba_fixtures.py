"""Reference fixtures for ScanFlow's Mamba-1 / Mamba-2 parity tests.

Builds several tiny random-init MambaForCausalLM / Mamba2ForCausalLM models with
deliberately varied configs, perturbs every weight away from its init (so no
parameter sits at a special value such as D=1 or norm weight=1), saves them in the
HF layout (and F16, BF16, sharded and original `state-spaces` copies), and writes
float64 reference outputs computed by HF transformers' own forward (the slow,
pure-PyTorch path) on the CPU.

Per model, under OUT/<name>/reference/:
  tokens.i32   int32 LE [B, L]        input sequences
  logits.f64   float64 LE [B, L, V]   HF forward, all weights upcast to float64
  prompt.i32   int32 LE [B, P]        greedy prompts
  greedy.i32   int32 LE [B, P+N]      prompt + N greedy tokens (float64 argmax)
  meta.json    shapes, versions, smallest top-1/top-2 logit margin of the greedy run

Usage: python3 scripts/training/make_mamba_fixtures.py OUT_DIR
"""
import json
import math
import os
import sys

import numpy as np
import torch
import transformers
from safetensors.torch import save_file
from transformers import Mamba2Config, Mamba2ForCausalLM, MambaConfig, MambaForCausalLM

B, L, P, N_NEW = 3, 40, 8, 16


def perturb(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g, dtype=torch.float32).to(p.dtype)
            if name.endswith("norm.weight") or name.endswith("norm_f.weight"):
                p.copy_(1.0 + 0.3 * noise)
            elif "embedding" in name or "lm_head" in name:
                p.copy_(0.6 * noise)
            elif name.endswith("A_log") or name.endswith(".D") or name.endswith("dt_bias"):
                p.add_(0.3 * noise)
            else:
                p.add_(0.08 * noise)


def write(path, array, dtype):
    np.ascontiguousarray(array, dtype=dtype).tofile(path)


def reference_logits(model, tokens):
    m = model.to(torch.float64).eval()
    with torch.no_grad():
        return m(torch.from_numpy(tokens).long(), use_cache=False).logits.numpy()


def greedy(model, prompt):
    """Greedy decoding by full recomputation in float64 (no cache path involved)."""
    m = model.to(torch.float64).eval()
    seq = torch.from_numpy(prompt).long()
    margins = []
    with torch.no_grad():
        for _ in range(N_NEW):
            last = m(seq, use_cache=False).logits[:, -1, :]
            top2 = torch.topk(last, 2, dim=-1).values
            margins.append(float((top2[:, 0] - top2[:, 1]).min()))
            seq = torch.cat([seq, last.argmax(-1, keepdim=True)], dim=1)
    return seq.numpy(), min(margins)


def save_reference(out, model, vocab, seed):
    ref = os.path.join(out, "reference")
    os.makedirs(ref, exist_ok=True)
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, vocab, size=(B, L), dtype=np.int32)
    prompt = rng.integers(0, vocab, size=(B, P), dtype=np.int32)
    logits = reference_logits(model, tokens)
    seq, margin = greedy(model, prompt)
    write(os.path.join(ref, "tokens.i32"), tokens, "<i4")
    write(os.path.join(ref, "logits.f64"), logits, "<f8")
    write(os.path.join(ref, "prompt.i32"), prompt, "<i4")
    write(os.path.join(ref, "greedy.i32"), seq, "<i4")
    meta = {"batch": B, "length": L, "vocab": int(logits.shape[-1]), "prompt_length": P,
            "new_tokens": N_NEW, "min_greedy_margin": margin,
            "torch": torch.__version__, "transformers": transformers.__version__}
    with open(os.path.join(ref, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    return meta


def build(name, cls, cfg, seed, out_root, dtype=torch.float32):
    torch.manual_seed(seed)
    model = cls(cfg)
    perturb(model, seed)
    model = model.to(dtype)
    out = os.path.join(out_root, name)
    model.save_pretrained(out, safe_serialization=True)
    meta = save_reference(out, model, cfg.vocab_size, seed)
    print(f"{name}: {meta}")
    return model


def save_sharded(model, cfg, out):
    """Two shards plus model.safetensors.index.json, written explicitly so the split is known."""
    os.makedirs(out, exist_ok=True)
    cfg.save_pretrained(out)
    sd = {k: v.contiguous() for k, v in model.state_dict().items() if k != "lm_head.weight" or not cfg.tie_word_embeddings}
    names = sorted(sd)
    half = len(names) // 2
    weight_map = {}
    for i, part in enumerate((names[:half], names[half:])):
        fname = f"model-{i + 1:05d}-of-00002.safetensors"
        save_file({k: sd[k] for k in part}, os.path.join(out, fname), metadata={"format": "pt"})
        weight_map.update({k: fname for k in part})
    total = sum(v.numel() * v.element_size() for v in sd.values())
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


def save_state_spaces(model, cfg, out, pad_multiple=8, seed=0):
    """The original state-spaces/mamba layout: d_model/n_layer/ssm_cfg, backbone.embedding, padded vocab."""
    os.makedirs(out, exist_ok=True)
    padded = int(math.ceil(cfg.vocab_size / pad_multiple) * pad_multiple)
    g = torch.Generator().manual_seed(seed)
    sd = {}
    for k, v in model.state_dict().items():
        if k == "lm_head.weight":
            continue
        k2 = k.replace("backbone.embeddings.", "backbone.embedding.")
        sd[k2] = v.float().contiguous()
    emb = sd["backbone.embedding.weight"]
    extra = 0.6 * torch.randn(padded - emb.shape[0], emb.shape[1], generator=g)
    sd["backbone.embedding.weight"] = torch.cat([emb, extra]).contiguous()
    save_file(sd, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    conf = {"d_model": cfg.hidden_size, "n_layer": cfg.num_hidden_layers, "vocab_size": cfg.vocab_size,
            "ssm_cfg": {"d_state": cfg.state_size, "d_conv": cfg.conv_kernel, "expand": cfg.expand},
            "rms_norm": True, "residual_in_fp32": True, "fused_add_norm": True,
            "pad_vocab_size_multiple": pad_multiple, "tie_embeddings": True}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(conf, f, indent=2)
    # Reference: the same model with the padded embedding (mamba_ssm computes logits over the padded vocab).
    cfg2 = MambaConfig(**{**cfg.to_dict(), "vocab_size": padded})
    m2 = MambaForCausalLM(cfg2)
    hf_sd = {k.replace("backbone.embedding.", "backbone.embeddings."): v for k, v in sd.items()}
    hf_sd["lm_head.weight"] = hf_sd["backbone.embeddings.weight"]
    m2.load_state_dict(hf_sd)
    meta = save_reference(out, m2, cfg.vocab_size, seed + 1)
    print(f"state-spaces: {meta}")


def main():
    out_root = sys.argv[1]
    os.makedirs(out_root, exist_ok=True)
    m1 = dict(vocab_size=50, hidden_size=32, state_size=8, num_hidden_layers=2, expand=2, conv_kernel=4,
              time_step_rank="auto", tie_word_embeddings=True, use_bias=False, use_conv_bias=True)
    base = build("mamba1-tied", MambaForCausalLM, MambaConfig(**m1), 11, out_root)
    build("mamba1-untied-bias", MambaForCausalLM, MambaConfig(
        vocab_size=37, hidden_size=24, state_size=5, num_hidden_layers=3, expand=3, conv_kernel=3,
        time_step_rank=5, tie_word_embeddings=False, use_bias=True, use_conv_bias=False,
        residual_in_fp32=False, layer_norm_epsilon=1e-6), 12, out_root)
    for dt, name in ((torch.float16, "mamba1-tied-f16"), (torch.bfloat16, "mamba1-tied-bf16")):
        torch.manual_seed(11)
        m = MambaForCausalLM(MambaConfig(**m1))
        m.load_state_dict(base.float().state_dict())
        m = m.to(dt)
        path = os.path.join(out_root, name)
        m.save_pretrained(path, safe_serialization=True)
        print(name, save_reference(path, m, 50, 13))
    save_state_spaces(base.float(), MambaConfig(**m1), os.path.join(out_root, "mamba1-state-spaces"), seed=14)

    build("mamba2-basic", Mamba2ForCausalLM, Mamba2Config(
        vocab_size=50, hidden_size=32, state_size=16, num_hidden_layers=2, expand=2, num_heads=8, head_dim=8,
        n_groups=1, conv_kernel=4, chunk_size=16, tie_word_embeddings=True, use_bias=False,
        use_conv_bias=True), 21, out_root)
    cfg = Mamba2Config(
        vocab_size=41, hidden_size=36, state_size=8, num_hidden_layers=2, expand=2, num_heads=6, head_dim=12,
        n_groups=2, conv_kernel=3, chunk_size=7, tie_word_embeddings=False, use_bias=True,
        use_conv_bias=False, time_step_limit=(0.01, 0.5), layer_norm_epsilon=1e-6)
    g = build("mamba2-groups", Mamba2ForCausalLM, cfg, 22, out_root)
    save_sharded(g.float(), cfg, os.path.join(out_root, "mamba2-groups-sharded"))


if __name__ == "__main__":
    main()
