"""A small pure-PyTorch Mamba-1 backbone with the Hugging Face `MambaModel` parameter layout.

Used by train_dna_classifier.py where `transformers` is not installed (quick CPU tests of the
training code); where it is installed the script uses `transformers.MambaModel` itself and checks
that this module computes the same pooled outputs on the trained weights.

It follows HF's `MambaMixer.slow_forward` step by step (shapes: b batch, l length, d hidden,
e = d_inner, n = d_state, r = dt_rank, k = conv width):
  [x, z] = in_proj(h)                      [b, l, 2e]
  x = silu(causal depthwise conv_k(x))     [b, l, e]
  [dt_low, B, C] = x_proj(x)               [b, l, r + 2n]
  dt = softplus(dt_proj(dt_low))           [b, l, e]   (dt_proj carries the dt bias)
  A = -exp(A_log)                          [e, n]
  s_t = exp(dt_t A) s_{t-1} + dt_t B_t x_t ; y_t = s_t C_t + D x_t
  out = out_proj(y * silu(z))
Block: h = h + mixer(rmsnorm(h)); model: embeddings -> blocks -> norm_f.
"""
import math

import torch
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.variance_epsilon = eps

    def forward(self, h):
        var = h.pow(2).mean(-1, keepdim=True)
        return self.weight * (h * torch.rsqrt(var + self.variance_epsilon))


class Mixer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, e, n, k, r = cfg["hidden_size"], cfg["intermediate_size"], cfg["state_size"], cfg["conv_kernel"], cfg["time_step_rank"]
        self.e, self.n, self.r = e, n, r
        self.chunk = cfg.get("scan_chunk", 0)
        self.in_proj = nn.Linear(d, 2 * e, bias=cfg["use_bias"])
        self.conv1d = nn.Conv1d(e, e, k, groups=e, padding=k - 1, bias=cfg["use_conv_bias"])
        self.x_proj = nn.Linear(e, r + 2 * n, bias=False)
        self.dt_proj = nn.Linear(r, e, bias=True)
        A = torch.arange(1, n + 1, dtype=torch.float32)[None, :].expand(e, -1).contiguous()
        self.A_log = nn.Parameter(torch.log(A))
        self.D = nn.Parameter(torch.ones(e))
        self.out_proj = nn.Linear(e, d, bias=cfg["use_bias"])
        dt = torch.exp(torch.rand(e) * (math.log(0.1) - math.log(0.001)) + math.log(0.001)).clamp(min=1e-4)
        with torch.no_grad():
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))

    def forward(self, h):
        b, l, _ = h.shape
        x, z = self.in_proj(h).chunk(2, dim=-1)
        x = nn.functional.silu(self.conv1d(x.transpose(1, 2))[..., :l]).transpose(1, 2)
        dt_low, B, C = torch.split(self.x_proj(x), [self.r, self.n, self.n], dim=-1)
        dt = nn.functional.softplus(self.dt_proj(dt_low))
        A = -torch.exp(self.A_log)
        log_dA = dt[..., None] * A                             # [b, l, e, n], <= 0
        dBx = dt[..., None] * B[:, :, None, :] * x[..., None]  # [b, l, e, n]
        if self.chunk:
            y = chunked_scan(log_dA, dBx, C, self.chunk)
        else:
            dA = torch.exp(log_dA)
            s = torch.zeros(b, self.e, self.n, dtype=h.dtype, device=h.device)
            ys = []
            for t in range(l):
                s = dA[:, t] * s + dBx[:, t]
                ys.append((s * C[:, t, None, :]).sum(-1))
            y = torch.stack(ys, dim=1)
        y = y + x * self.D
        return self.out_proj(y * nn.functional.silu(z))


def chunked_scan(log_dA, dBx, C, T):
    """The same recurrence s_t = exp(log_dA_t) s_{t-1} + dBx_t, y_t = s_t . C_t, computed T steps at a
    time: inside a chunk every s_t is a decayed sum over the chunk's inputs (exp of differences of the
    cumulative log decay, all <= 0, so nothing overflows), and only the chunk-start state is carried
    sequentially. Same result as the step loop within float rounding; l/T sequential steps, not l."""
    b, l, e, n = dBx.shape
    k = -(-l // T)
    pad = k * T - l
    if pad:
        log_dA = nn.functional.pad(log_dA, (0, 0, 0, 0, 0, pad))
        dBx = nn.functional.pad(dBx, (0, 0, 0, 0, 0, pad))
        C = nn.functional.pad(C, (0, 0, 0, pad))
    cum = log_dA.view(b, k, T, e, n).cumsum(2)                                  # [b, k, T, e, n]
    diff = cum[:, :, :, None] - cum[:, :, None, :]                              # [b, k, T(t), T(s), e, n]
    causal = torch.ones(T, T, dtype=torch.bool, device=dBx.device).tril()
    w = torch.exp(diff.masked_fill(~causal[None, None, :, :, None, None], float("-inf")))
    local = (w * dBx.view(b, k, 1, T, e, n)).sum(3)                             # [b, k, T, e, n]
    decay = torch.exp(cum)
    carry = torch.zeros(b, e, n, dtype=dBx.dtype, device=dBx.device)
    states = []
    for i in range(k):
        states.append(local[:, i] + decay[:, i] * carry[:, None])
        carry = states[-1][:, -1]
    s = torch.stack(states, 1)                                                  # [b, k, T, e, n]
    y = (s * C.view(b, k, T, 1, n)).sum(-1).reshape(b, k * T, e)
    return y[:, :l]


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.norm = RMSNorm(cfg["hidden_size"], cfg["layer_norm_epsilon"])
        self.mixer = Mixer(cfg)

    def forward(self, h):
        return h + self.mixer(self.norm(h))


class MambaBackbone(nn.Module):
    """Parameter names match HF's MambaModel: embeddings, layers.{i}.norm / .mixer.*, norm_f."""

    def __init__(self, cfg):
        super().__init__()
        self.embeddings = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        self.layers = nn.ModuleList([Block(cfg) for _ in range(cfg["num_hidden_layers"])])
        self.norm_f = RMSNorm(cfg["hidden_size"], cfg["layer_norm_epsilon"])

    def forward(self, input_ids):
        h = self.embeddings(input_ids)
        for layer in self.layers:
            h = layer(h)
        return self.norm_f(h)
