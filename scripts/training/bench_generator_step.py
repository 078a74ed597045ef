"""How many generation sessions stay real-time on one GPU: the exported generator's recurrent step (conv
window + SSM state per session, embedding -> blocks -> norm -> LM head -> Gumbel-max sample) batched over
B sessions in PyTorch, captured once as a CUDA graph and replayed, one replay = one sample for every
session. Real-time at rate R needs R replays per second.

Usage: python3 bench_generator_step.py MODEL_DIR OUT.json [--rate 8000]
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("--rate", type=int, default=8000)
    ap.add_argument("--budget", type=float, default=25.0)
    args = ap.parse_args()
    cfg = json.load(open(os.path.join(args.model, "config.json")))
    w = {k: v.cuda() for k, v in load_file(os.path.join(args.model, "model.safetensors")).items()}
    L, e, n, k, r = cfg["num_hidden_layers"], cfg["intermediate_size"], cfg["state_size"], cfg["conv_kernel"], cfg["time_step_rank"]
    eps = cfg["layer_norm_epsilon"]

    def rms(x, weight):
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    layers = []
    for i in range(L):
        p = f"backbone.layers.{i}."
        layers.append(dict(norm=w[p + "norm.weight"], inp=w[p + "mixer.in_proj.weight"].T.contiguous(),
                           cw=w[p + "mixer.conv1d.weight"][:, 0, :], cb=w[p + "mixer.conv1d.bias"],
                           xp=w[p + "mixer.x_proj.weight"].T.contiguous(), dtw=w[p + "mixer.dt_proj.weight"].T.contiguous(),
                           dtb=w[p + "mixer.dt_proj.bias"], A=-torch.exp(w[p + "mixer.A_log"]), D=w[p + "mixer.D"],
                           out=w[p + "mixer.out_proj.weight"].T.contiguous()))
    emb, normf, head = w["backbone.embeddings.weight"], w["backbone.norm_f.weight"], w["lm_head.weight"].T.contiguous()

    results = []
    start = time.time()
    for batch in [256, 1024, 4096, 8192, 16384, 32768, 65536]:
        if time.time() - start > args.budget:
            break
        tok = torch.zeros(batch, dtype=torch.long, device="cuda")
        conv = [torch.zeros(batch, e, k - 1, device="cuda") for _ in range(L)]
        ssm = [torch.zeros(batch, e, n, device="cuda") for _ in range(L)]

        def step():
            h = emb[tok]
            for i, ly in enumerate(layers):
                x, z = (rms(h, ly["norm"]) @ ly["inp"]).chunk(2, dim=-1)
                window = torch.cat([conv[i], x.unsqueeze(-1)], dim=-1)
                conv[i].copy_(window[..., 1:])
                xc = F.silu((window * ly["cw"]).sum(-1) + ly["cb"])
                dlow, B, C = torch.split(xc @ ly["xp"], [r, n, n], dim=-1)
                delta = F.softplus(dlow @ ly["dtw"] + ly["dtb"])
                s = torch.exp(delta.unsqueeze(-1) * ly["A"]) * ssm[i] + (delta * xc).unsqueeze(-1) * B.unsqueeze(1)
                ssm[i].copy_(s)
                y = (s * C.unsqueeze(1)).sum(-1) + xc * ly["D"]
                h = h + (y * F.silu(z)) @ ly["out"]
            logits = rms(h, normf) @ head
            gumbel = -torch.log(-torch.log(torch.rand_like(logits).clamp_(1e-20, 1.0)))
            tok.copy_((logits + gumbel).argmax(-1))

        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s), torch.no_grad():
            for _ in range(3):
                step()
        torch.cuda.current_stream().wait_stream(s)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph), torch.no_grad():
            step()
        for _ in range(20):
            graph.replay()
        torch.cuda.synchronize()
        reps = 0
        t0 = time.time()
        while reps < 200 or time.time() - t0 < 0.5:
            graph.replay()
            reps += 1
            if reps % 50 == 0:
                torch.cuda.synchronize()
        torch.cuda.synchronize()
        dt = (time.time() - t0) / reps
        steps_per_s = 1.0 / dt
        res = {"sessions": batch, "step_ms": dt * 1e3, "steps_per_s": steps_per_s,
               "samples_per_s": steps_per_s * batch, "realtime": steps_per_s >= args.rate,
               "realtime_factor": steps_per_s / args.rate}
        results.append(res)
        print(res, flush=True)
        del graph
    best = max([x["sessions"] for x in results if x["realtime"]], default=0)
    out = {"device": torch.cuda.get_device_name(), "rate": args.rate, "results": results,
           "max_realtime_sessions_measured": best, "torch": torch.__version__}
    json.dump(out, open(args.out, "w"), indent=1)


if __name__ == "__main__":
    main()
