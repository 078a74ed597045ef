"""ScanFlow's one PyTorch Mamba-1, with Hugging Face `MambaForCausalLM` math and tensor names.

Every training script imports it: the DNA read classifier (`Backbone`, where transformers is not
installed, and checked against `transformers.MambaModel` where it is), the audio models (`MambaModel`,
`export`, `step_reference`) and the Transformer-PSM's Mamba baseline (`MambaLM`).

It follows HF's `MambaMixer.slow_forward` step by step (shapes as in mamba-minimal: b batch, l length,
d d_model, e d_inner, n d_state, r dt_rank, k conv width, f input features, v vocabulary):
  [x, z] = in_proj(h)                      [b, l, 2e]
  x = silu(causal depthwise conv_k(x))     [b, l, e]
  [dt_low, B, C] = x_proj(x)               [b, l, r + 2n]
  dt = softplus(dt_proj(dt_low))           [b, l, e]   (dt_proj carries the dt bias)
  A = -exp(A_log)                          [e, n]
  s_t = exp(dt_t A) s_{t-1} + dt_t B_t x_t ; y_t = s_t C_t + D x_t
  out = out_proj(y * silu(z))
Block: h = h + mixer(rmsnorm(h)); model: embeddings -> blocks -> norm_f. Exported weights load into HF
transformers and into ScanFlow's Java loader and compute the same outputs (checked by parity tests).

The scan s_t = a_t s_{t-1} + b_t is the affine PSM with chunk size 1 ((a1, b1) o (a2, b2) =
(a1 a2, a2 b1 + b2), associative), so by default it runs as a Hillis-Steele parallel scan over time
(log2 steps inside chunks of 64, no Python loop over time); `"scan": "loop"` in the config runs the
step-by-step recurrence instead, the readable reference.

Feature input (a ScanFlow extension): `backbone.input_proj` (Linear f -> d) replaces the embedding and
`config.json` carries "input_features": f.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):  # HF MambaRMSNorm
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def parallel_scan(a, b):
    """s_t = a_t * s_{t-1} + b_t with s_{-1} = 0, over dim 1. a, b: [b, l, e, n]. Hillis-Steele, log2(l) steps."""
    length = a.shape[1]
    step = 1
    while step < length:
        b = torch.cat([b[:, :step], b[:, step:] + a[:, step:] * b[:, :-step]], dim=1)
        a = torch.cat([a[:, :step], a[:, step:] * a[:, :-step]], dim=1)
        step *= 2
    return b


def hillis_steele(a, b, dim):
    """Inclusive scan of affine pairs along `dim`: returns (prod of a up to t, s_t with zero start)."""
    length = a.shape[dim]
    step = 1
    while step < length:
        a_prev = a.narrow(dim, 0, length - step)
        b_prev = b.narrow(dim, 0, length - step)
        b = torch.cat([b.narrow(dim, 0, step), b.narrow(dim, step, length - step) + a.narrow(dim, step, length - step) * b_prev], dim=dim)
        a = torch.cat([a.narrow(dim, 0, step), a.narrow(dim, step, length - step) * a_prev], dim=dim)
        step *= 2
    return a, b


def chunked_scan(a, b, chunk=64):
    """parallel_scan's result with fewer levels: Hillis-Steele inside chunks of `chunk` steps, then the
    state carried from chunk to chunk (s_t = local_t + (prod a within the chunk up to t) * carry)."""
    bsz, length, e, n = a.shape
    if length <= chunk:
        return parallel_scan(a, b)
    pad = (-length) % chunk
    if pad:
        a = torch.cat([a, a.new_ones(bsz, pad, e, n)], 1)
        b = torch.cat([b, b.new_zeros(bsz, pad, e, n)], 1)
    nc = a.shape[1] // chunk
    prod, local = hillis_steele(a.view(bsz, nc, chunk, e, n), b.view(bsz, nc, chunk, e, n), dim=2)
    carry = a.new_zeros(bsz, e, n)
    outs = []
    for k in range(nc):
        s_k = local[:, k] + prod[:, k] * carry.unsqueeze(1)
        carry = s_k[:, -1]
        outs.append(s_k)
    return torch.cat(outs, 1)[:, :length]


def loop_scan(a, b):
    """The same recurrence one step at a time: s_t = a_t * s_{t-1} + b_t with s_{-1} = 0, over dim 1."""
    s = torch.zeros_like(b[:, 0])
    states = []
    for t in range(a.shape[1]):
        s = a[:, t] * s + b[:, t]
        states.append(s)
    return torch.stack(states, 1)


class Mixer(nn.Module):
    def __init__(self, d, e, n, k, r, bias=False, conv_bias=True, scan="parallel"):
        super().__init__()
        if scan not in ("parallel", "loop"):
            raise ValueError(f"scan must be 'parallel' or 'loop', found {scan!r}")
        self.e, self.n, self.k, self.r = e, n, k, r
        self.scan = chunked_scan if scan == "parallel" else loop_scan
        self.in_proj = nn.Linear(d, 2 * e, bias=bias)
        self.conv1d = nn.Conv1d(e, e, k, groups=e, padding=k - 1, bias=conv_bias)
        self.x_proj = nn.Linear(e, r + 2 * n, bias=False)
        self.dt_proj = nn.Linear(r, e, bias=True)
        self.A_log = nn.Parameter(torch.log(torch.arange(1, n + 1, dtype=torch.float32)).repeat(e, 1))
        self.D = nn.Parameter(torch.ones(e))
        self.out_proj = nn.Linear(e, d, bias=bias)
        # HF / mamba_ssm dt init: dt log-uniform in [1e-3, 1e-1], bias = softplus^-1(dt).
        with torch.no_grad():
            nn.init.uniform_(self.dt_proj.weight, -r ** -0.5, r ** -0.5)
            dt = torch.exp(torch.rand(e) * (math.log(0.1) - math.log(1e-3)) + math.log(1e-3)).clamp(min=1e-4)
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))

    def forward(self, h):  # h: [b, l, d] -> [b, l, d]
        length = h.shape[1]
        x, z = self.in_proj(h).chunk(2, dim=-1)                                  # [b, l, e] each
        x = F.silu(self.conv1d(x.transpose(1, 2))[..., :length]).transpose(1, 2)  # causal depthwise conv
        dlow, B, C = torch.split(self.x_proj(x), [self.r, self.n, self.n], dim=-1)
        delta = F.softplus(self.dt_proj(dlow))                                   # [b, l, e]
        A = -torch.exp(self.A_log)                                               # [e, n]
        dA = torch.exp(delta.unsqueeze(-1) * A)                                  # [b, l, e, n]
        dBu = delta.unsqueeze(-1) * B.unsqueeze(2) * x.unsqueeze(-1)             # [b, l, e, n]
        s = self.scan(dA, dBu)
        y = (s * C.unsqueeze(2)).sum(-1) + x * self.D                            # [b, l, e]
        return self.out_proj(y * F.silu(z))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.norm = RMSNorm(cfg["hidden_size"], cfg["layer_norm_epsilon"])
        self.mixer = Mixer(cfg["hidden_size"], cfg["intermediate_size"], cfg["state_size"], cfg["conv_kernel"],
                           cfg["time_step_rank"], bias=cfg.get("use_bias", False),
                           conv_bias=cfg.get("use_conv_bias", True), scan=cfg.get("scan", "parallel"))

    def forward(self, h):
        return h + self.mixer(self.norm(h))


class Backbone(nn.Module):
    """HF's MambaModel parameters: embeddings (or input_proj), layers.{i}.norm / .mixer.*, norm_f."""

    def __init__(self, cfg):
        super().__init__()
        d = cfg["hidden_size"]
        if cfg.get("input_features", 0) > 0:
            self.input_proj = nn.Linear(cfg["input_features"], d)
        else:
            self.embeddings = nn.Embedding(cfg["vocab_size"], d)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg["num_hidden_layers"]))
        self.norm_f = RMSNorm(d, cfg["layer_norm_epsilon"])

    def forward(self, input_ids):  # HF's name; feature rows [b, l, f] for a feature-input model
        h = self.input_proj(input_ids) if hasattr(self, "input_proj") else self.embeddings(input_ids)
        for layer in self.layers:
            h = layer(h)
        return self.norm_f(h)


class MambaModel(nn.Module):
    """backbone (+ lm_head for token models). forward returns final hidden states [b, l, d]."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.backbone = Backbone(cfg)
        if cfg.get("vocab_size", 0) > 0:
            self.lm_head = nn.Linear(cfg["hidden_size"], cfg["vocab_size"], bias=False)

    def forward(self, inputs):
        return self.backbone(inputs)


class MambaLM(nn.Module):
    """A token language model: forward returns (logits [b, l, v], None), the interface the PSM trainer
    gives its models."""

    def __init__(self, vocab_size, hidden_size, num_layers, state_size=16, expand=2, conv_kernel=4):
        super().__init__()
        self.model = MambaModel(make_config(hidden_size, num_layers, state_size, expand, conv_kernel,
                                            vocab=vocab_size))

    def forward(self, tokens):
        return self.model.lm_head(self.model(tokens)), None


def make_config(hidden, layers, state=16, expand=2, conv=4, vocab=0, features=0):
    return {
        "architectures": ["MambaForCausalLM"],
        "model_type": "mamba",
        "hidden_size": hidden,
        "intermediate_size": expand * hidden,
        "state_size": state,
        "num_hidden_layers": layers,
        "conv_kernel": conv,
        "time_step_rank": math.ceil(hidden / 16),
        "layer_norm_epsilon": 1e-5,
        "use_bias": False,
        "use_conv_bias": True,
        "vocab_size": vocab,
        "input_features": features,
        "tie_word_embeddings": False,
        "residual_in_fp32": True,
        "pad_token_id": 0, "bos_token_id": 0, "eos_token_id": 0,
    }


def save_file(tensors, path, metadata=None):
    """safetensors.torch.save_file, or the same file written here where the safetensors package is missing
    (Debian's python3-torch has none): an 8-byte little-endian header length, the JSON header, the data."""
    try:
        from safetensors.torch import save_file as save
        return save(tensors, path, metadata=metadata)
    except ImportError:
        pass
    dtypes = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32"}
    header, blobs, offset = {"__metadata__": metadata or {}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        blob = t.numpy().tobytes()
        header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def load_file(path):
    """safetensors.torch.load_file, or the F32/F64/I64/I32 tensors read here where the package is missing."""
    try:
        from safetensors.torch import load_file as load
        return load(path)
    except ImportError:
        pass
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}
    with open(path, "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
        data = f.read()
    return {name: torch.from_numpy(np.frombuffer(data[a:b], dtypes[h["dtype"]]).reshape(h["shape"]).copy())
            for name, h in header.items() if name != "__metadata__" for a, b in [h["data_offsets"]]}


def export(model, out_dir, extra_tensors=None, drop_input_features_key=False):
    """Writes config.json + model.safetensors in the HF layout (float32)."""
    os.makedirs(out_dir, exist_ok=True)
    cfg = dict(model.cfg)
    if cfg.get("input_features", 0) == 0:
        cfg.pop("input_features", None)
    cfg.pop("scan", None)  # how this module computes, not part of the model
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
    tensors = {k: v.detach().float().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, os.path.join(out_dir, "model.safetensors"), metadata={"format": "pt"})


def step_reference(model, inputs):
    """Float64 recurrent evaluation (one position at a time, conv window + SSM state), for parity fixtures.

    inputs: [b, l] tokens or [b, l, f] features. Returns final hidden states [b, l, d] as float64.
    """
    m = model.double()
    bb = m.backbone
    with torch.no_grad():
        h_all = bb.input_proj(inputs.double()) if hasattr(bb, "input_proj") else bb.embeddings(inputs)
        bsz, length, _ = h_all.shape
        states = []
        for layer in bb.layers:
            mx = layer.mixer
            states.append((torch.zeros(bsz, mx.e, mx.k - 1, dtype=torch.float64),
                           torch.zeros(bsz, mx.e, mx.n, dtype=torch.float64)))
        outs = []
        for t in range(length):
            h = h_all[:, t]
            for i, layer in enumerate(bb.layers):
                mx = layer.mixer
                conv, ssm = states[i]
                x, z = mx.in_proj(layer.norm(h)).chunk(2, dim=-1)
                window = torch.cat([conv, x.unsqueeze(-1)], dim=-1)            # [b, e, k]
                xc = F.silu((window * mx.conv1d.weight[:, 0, :]).sum(-1) + mx.conv1d.bias)
                conv = window[..., 1:]
                dlow, B, C = torch.split(mx.x_proj(xc), [mx.r, mx.n, mx.n], dim=-1)
                delta = F.softplus(mx.dt_proj(dlow))
                A = -torch.exp(mx.A_log)
                ssm = torch.exp(delta.unsqueeze(-1) * A) * ssm + delta.unsqueeze(-1) * B.unsqueeze(1) * xc.unsqueeze(-1)
                y = (ssm * C.unsqueeze(1)).sum(-1) + xc * mx.D
                h = h + mx.out_proj(y * F.silu(z))
                states[i] = (conv, ssm)
            outs.append(bb.norm_f(h))
        out = torch.stack(outs, 1)
    model.float()
    return out
