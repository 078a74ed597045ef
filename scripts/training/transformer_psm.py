"""Transformer-PSM: the PyTorch reference of ScanFlow's io.scanflow.model.psm.transformer.

A prefix-scannable model (Yau et al., "Sequential-Parallel Duality in Prefix Scannable Models",
arXiv 2506.10918) whose state is c vectors of width d and whose three functions are small
pre-norm transformers:

  Enc(chunk)   = EncNorm(EncBlocks(Emb[t] + enc.pos))                   c tokens -> [c, d]
  Agg(l, r)    = AggNorm(AggBlocks([l; r] + agg.pos)[c:2c])             [c, d] x [c, d] -> [c, d]
  Inf(s, ch)   = InfNorm(InfBlocks_causal([s; Emb[t]] + inf.pos)[c:c+m])  -> hidden [m, d]
  logits       = hidden @ lm_head.T                                      [m, V]
  e            = the learned parameter `identity`                        [c, d]

Enc and Agg attend both ways; Inf is causal over the 2c rows [prefix state; chunk], so a
partial chunk (m < c tokens) gives the same rows as the first m rows of the full chunk.

Glossary: B batch, L sequence length, c chunk size, n = L // c full chunks, d width, H heads,
hd = d / H head width, f MLP width, V vocabulary (inputs and outputs share it).

Block (pre-norm, no biases):
  x = x + o_proj(Attention(q_proj(h), k_proj(h), v_proj(h))),   h = RMSNorm_attn(x)
  x = x + down_proj(gelu_tanh(up_proj(RMSNorm_mlp(x))))
  Attention: per head, softmax(q k^T / sqrt(hd) [+ causal mask]) v.
  RMSNorm(x) = x / sqrt(mean(x^2) + eps) * weight.

The scan uses ScanFlow's one fixed bracket order (docs/psm.md): complete subtrees of the binary
decomposition of n (Blelloch up-sweep), prefix states from the down-sweep, i.e.
s_i = Agg(...Agg(Agg(e, R1), R2)..., Rk) over the roots of the decomposition of i. Agg is not
associative, so this order is part of the model: training, the Java evaluators and the
reference outputs all use it. `prefix_states` computes it level by level (batched, for
training); `stream` computes it with the binary counter of the streaming evaluator.

Weights file (safetensors, float32) and config.json: see `export` and docs/psm.md.
"""
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MODEL_TYPE = "transformer_psm"


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        # = x * rsqrt(mean(x^2) + eps) * weight, one fused op
        return F.rms_norm(x, (x.shape[-1],), self.weight, self.eps)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)

    def forward(self, h, causal):
        """h [N, T, d] -> [N, T, d]."""
        n, t, d = h.shape
        hd = d // self.heads
        q = self.q_proj(h).view(n, t, self.heads, hd).transpose(1, 2)  # [N, H, T, hd]
        k = self.k_proj(h).view(n, t, self.heads, hd).transpose(1, 2)
        v = self.v_proj(h).view(n, t, self.heads, hd).transpose(1, 2)
        # softmax(q k^T / sqrt(hd) [+ causal mask]) v, one fused op
        out = F.scaled_dot_product_attention(q, k, v, is_causal=causal)  # [N, H, T, hd]
        return self.o_proj(out.transpose(1, 2).reshape(n, t, d))


class Mlp(nn.Module):
    def __init__(self, d, ffn):
        super().__init__()
        self.up_proj = nn.Linear(d, ffn, bias=False)
        self.down_proj = nn.Linear(ffn, d, bias=False)

    def forward(self, h):
        return self.down_proj(F.gelu(self.up_proj(h), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, d, heads, ffn, eps):
        super().__init__()
        self.attn_norm = RMSNorm(d, eps)
        self.attn = Attention(d, heads)
        self.mlp_norm = RMSNorm(d, eps)
        self.mlp = Mlp(d, ffn)

    def forward(self, x, causal):
        x = x + self.attn(self.attn_norm(x), causal)
        return x + self.mlp(self.mlp_norm(x))


class Stage(nn.Module):
    """Learned positions for `rows` rows, a stack of blocks, a final RMSNorm."""

    def __init__(self, rows, layers, d, heads, ffn, eps):
        super().__init__()
        self.pos = nn.Parameter(torch.randn(rows, d) * 0.1)
        self.layers = nn.ModuleList([Block(d, heads, ffn, eps) for _ in range(layers)])
        self.norm = RMSNorm(d, eps)

    def blocks(self, x, causal):
        for block in self.layers:
            x = block(x, causal)
        return x


class TransformerPSM(nn.Module):
    def __init__(self, vocab_size, hidden_size, num_heads, chunk_size, intermediate_size,
                 enc_layers, agg_layers, inf_layers, norm_epsilon=1e-5):
        super().__init__()
        self.cfg = dict(model_type=MODEL_TYPE, vocab_size=vocab_size, hidden_size=hidden_size,
                        num_heads=num_heads, chunk_size=chunk_size, intermediate_size=intermediate_size,
                        enc_layers=enc_layers, agg_layers=agg_layers, inf_layers=inf_layers,
                        norm_epsilon=norm_epsilon)
        assert hidden_size % num_heads == 0
        d, c = hidden_size, chunk_size
        self.c = c
        self.embedding = nn.Embedding(vocab_size, d)
        nn.init.normal_(self.embedding.weight, std=0.5)
        self.identity = nn.Parameter(torch.randn(c, d) * 0.5)
        self.enc = Stage(c, enc_layers, d, num_heads, intermediate_size, norm_epsilon)
        self.agg = Stage(2 * c, agg_layers, d, num_heads, intermediate_size, norm_epsilon)
        self.inf = Stage(2 * c, inf_layers, d, num_heads, intermediate_size, norm_epsilon)
        self.lm_head = nn.Linear(d, vocab_size, bias=False)

    # The three functions, batched over a leading dimension N.

    def encode(self, chunks):
        """chunks [N, c] tokens -> states [N, c, d]."""
        x = self.embedding(chunks) + self.enc.pos
        return self.enc.norm(self.enc.blocks(x, causal=False))

    def aggregate(self, left, right):
        """left, right [N, c, d] -> [N, c, d]: the last c rows of the block stack over [left; right]."""
        x = torch.cat([left, right], dim=1) + self.agg.pos
        return self.agg.norm(self.agg.blocks(x, causal=False)[:, self.c:])

    def infer(self, prefix, chunks):
        """prefix [N, c, d], chunks [N, m] tokens (m <= c) -> final hidden rows [N, m, d]."""
        m = chunks.shape[1]
        x = torch.cat([prefix, self.embedding(chunks)], dim=1) + self.inf.pos[: self.c + m]
        return self.inf.norm(self.inf.blocks(x, causal=True)[:, self.c:])

    def logits(self, hidden):
        return self.lm_head(hidden)

    # Parallel evaluation in the fixed bracket order (mirrors ParallelScan.evaluate).

    def prefix_states(self, x):
        """x [B, n, c, d] leaf states -> prefix states [B, n + 1, c, d], s_0 = e."""
        b, n = x.shape[:2]
        height = n.bit_length()
        up = [x]
        for _ in range(1, height):
            below = up[-1]
            half = below.shape[1] // 2
            l = below[:, 0: 2 * half: 2].reshape(b * half, self.c, -1)
            r = below[:, 1: 2 * half: 2].reshape(b * half, self.c, -1)
            up.append(self.aggregate(l, r).view(b, half, self.c, -1))
        parent = self.identity.expand(b, 1, self.c, -1)
        for level in range(height - 1, -1, -1):
            count = (n >> level) + 1
            j = torch.arange(count, device=x.device)
            odd = j[1::2]
            level_states = parent[:, j >> 1]
            if len(odd) > 0:
                v = parent[:, odd >> 1].reshape(b * len(odd), self.c, -1)
                sib = up[level][:, odd - 1].reshape(b * len(odd), self.c, -1)
                merged = self.aggregate(v, sib).view(b, len(odd), self.c, -1)
                level_states = level_states.clone()
                level_states[:, 1::2] = merged
            parent = level_states
        return parent

    def forward(self, tokens):
        """tokens [B, L] -> (logits [B, L, V], prefix states [B, n + 1, c, d])."""
        b, length = tokens.shape
        n = length // self.c
        pieces = []
        if n > 0:
            full = tokens[:, : n * self.c].reshape(b * n, self.c)
            x = self.encode(full).view(b, n, self.c, -1)
            prefixes = self.prefix_states(x)
            hidden = self.infer(prefixes[:, :n].reshape(b * n, self.c, -1), full)
            pieces.append(hidden.reshape(b, n * self.c, -1))
        else:
            prefixes = self.identity.expand(b, 1, self.c, -1)
        if length > n * self.c:
            pieces.append(self.infer(prefixes[:, n], tokens[:, n * self.c:]))
        return self.logits(torch.cat(pieces, dim=1)), prefixes

    # Sequential evaluation: the streaming evaluator's binary counter (mirrors StreamingScan.push).

    def stream(self, tokens):
        """tokens [L] (one sequence) -> (logits [L, V], prefix states [n + 1, c, d])."""
        roots, folds = [], []
        e = self.identity
        prefixes = [e]
        out = []
        c = self.c
        n = len(tokens) // c
        for i in range(n):
            chunk = tokens[i * c:(i + 1) * c].unsqueeze(0)
            prefix = folds[-1] if folds else e
            out.append(self.infer(prefix.unsqueeze(0), chunk)[0])
            x = self.encode(chunk)[0]
            merges = ((i + 1) & -(i + 1)).bit_length() - 1  # trailing zeros of the chunk number
            kept = len(roots) - merges
            for r in range(len(roots) - 1, kept - 1, -1):
                x = self.aggregate(roots[r].unsqueeze(0), x.unsqueeze(0))[0]
            fold = self.aggregate((folds[kept - 1] if kept > 0 else e).unsqueeze(0), x.unsqueeze(0))[0]
            del roots[kept:], folds[kept:]
            roots.append(x)
            folds.append(fold)
            prefixes.append(fold)
        if len(tokens) > n * c:
            prefix = folds[-1] if folds else e
            out.append(self.infer(prefix.unsqueeze(0), tokens[n * c:].unsqueeze(0))[0])
        return self.logits(torch.cat(out, dim=0)), torch.stack(prefixes)

    # Export.

    def export(self, directory, extra_config=None):
        """config.json + model.safetensors (float32, names as in the state dict)."""
        os.makedirs(directory, exist_ok=True)
        cfg = dict(self.cfg)
        cfg.update(extra_config or {})
        with open(os.path.join(directory, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
            f.write("\n")
        tensors = {k: v.detach().to("cpu", torch.float32).numpy() for k, v in self.state_dict().items()}
        write_safetensors(os.path.join(directory, "model.safetensors"), tensors)


def write_safetensors(path, tensors):
    """Minimal safetensors writer (float32, sorted names): 8-byte LE header size, JSON header, data."""
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype="<f4")
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        blobs.append(a.tobytes())
    header["__metadata__"] = {"format": "pt"}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(info["shape"]).copy()
    return out


def load(directory):
    with open(os.path.join(directory, "config.json")) as f:
        cfg = json.load(f)
    keys = ("vocab_size", "hidden_size", "num_heads", "chunk_size", "intermediate_size",
            "enc_layers", "agg_layers", "inf_layers", "norm_epsilon")
    model = TransformerPSM(**{k: cfg[k] for k in keys})
    sd = {k: torch.from_numpy(v) for k, v in read_safetensors(os.path.join(directory, "model.safetensors")).items()}
    model.load_state_dict(sd)
    return model
