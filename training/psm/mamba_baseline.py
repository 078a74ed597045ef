"""A small pure-PyTorch Mamba-1 language model: the baseline the Transformer-PSM is compared with.

Same block as ScanFlow's io.scanflow.model.mamba.Mamba1 and HF MambaForCausalLM (pre-RMSNorm
residual blocks, final RMSNorm, untied LM head). Glossary: B batch, L length, D width,
E = expand * D mixer width, N state size, K conv width, R delta rank.

  [x, z]       = in_proj(RMSNorm(h))                          [B, L, 2E]
  x            = SiLU(conv1d_K(x))                            causal, depthwise
  [dlow, B, C] = x_proj(x)                                    [B, L, R + 2N]
  delta        = softplus(dt_proj(dlow))                      [B, L, E]
  dA = exp(delta A), dBu = delta B x                          [B, L, E, N]
  s_t          = dA_t s_{t-1} + dBu_t                         the selective scan
  y            = (s_t . C_t) + D x, gated by SiLU(z), then out_proj

The scan is the affine PSM with chunk size 1: (a1, b1) o (a2, b2) = (a1 a2, a2 b1 + b2),
associative, so a Hillis-Steele prefix scan over time (log2 L steps) computes it exactly (up to
rounding) without a Python loop over time.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from transformer_psm import RMSNorm


def affine_scan(a, b):
    """Inclusive prefix scan of (a, b) pairs along dim 1: h_t = a_t h_{t-1} + b_t, h_{-1} = 0."""
    length = a.shape[1]
    k = 1
    while k < length:
        b = torch.cat([b[:, :k], a[:, k:] * b[:, :-k] + b[:, k:]], dim=1)
        a = torch.cat([a[:, :k], a[:, k:] * a[:, :-k]], dim=1)
        k *= 2
    return b


class MambaBlock(nn.Module):
    def __init__(self, d, state_size=16, expand=2, conv_kernel=4, eps=1e-5):
        super().__init__()
        e = expand * d
        self.e, self.n, self.k = e, state_size, conv_kernel
        self.r = math.ceil(d / 16)
        self.norm = RMSNorm(d, eps)
        self.in_proj = nn.Linear(d, 2 * e, bias=False)
        self.conv1d = nn.Conv1d(e, e, conv_kernel, groups=e, padding=conv_kernel - 1)
        self.x_proj = nn.Linear(e, self.r + 2 * state_size, bias=False)
        self.dt_proj = nn.Linear(self.r, e)
        dt = torch.exp(torch.rand(e) * (math.log(0.1) - math.log(1e-3)) + math.log(1e-3)).clamp(min=1e-4)
        with torch.no_grad():
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))  # inverse softplus
        self.A_log = nn.Parameter(torch.log(torch.arange(1, state_size + 1, dtype=torch.float32)).repeat(e, 1))
        self.D = nn.Parameter(torch.ones(e))
        self.out_proj = nn.Linear(e, d, bias=False)

    def forward(self, h):
        length = h.shape[1]
        x, z = self.in_proj(self.norm(h)).chunk(2, dim=-1)
        x = F.silu(self.conv1d(x.transpose(1, 2))[..., :length].transpose(1, 2))
        dlow, bm, cm = self.x_proj(x).split([self.r, self.n, self.n], dim=-1)
        delta = F.softplus(self.dt_proj(dlow))  # [B, L, E]
        a = -torch.exp(self.A_log)  # [E, N]
        da = torch.exp(delta.unsqueeze(-1) * a)
        dbu = (delta * x).unsqueeze(-1) * bm.unsqueeze(2)
        s = affine_scan(da, dbu)  # [B, L, E, N]
        y = (s * cm.unsqueeze(2)).sum(-1) + self.D * x
        return h + self.out_proj(y * F.silu(z))


class MambaLM(nn.Module):
    def __init__(self, vocab_size, hidden_size, num_layers, state_size=16, expand=2, conv_kernel=4, eps=1e-5):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, hidden_size)
        self.layers = nn.ModuleList([MambaBlock(hidden_size, state_size, expand, conv_kernel, eps)
                                     for _ in range(num_layers)])
        self.norm_f = RMSNorm(hidden_size, eps)
        self.lm_head = nn.Linear(hidden_size, vocab_size, bias=False)

    def forward(self, tokens):
        h = self.embedding(tokens)
        for layer in self.layers:
            h = layer(h)
        return self.lm_head(self.norm_f(h)), None
