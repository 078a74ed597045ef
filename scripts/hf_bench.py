"""The HF transformers side of the CUDA backend benchmarks (PyTorch float32 on the same GPU, same run).

1. Saves random-weight checkpoints at the benchmark shapes (mamba-130m: d_model 768, 24 layers, vocab 50280;
   mamba-370m: d_model 1024, 48 layers; an audio-sized model: hidden 64, 2 layers, vocab 256; all state 16,
   expand 2, conv 4) so the Java side loads exactly the weights timed here, plus a last-logits sample for a
   parity check at scale.
2. Times transformers' own code, the slow path (no mamba_ssm / causal_conv1d installed, as on the benchmark
   machine; TF32 off): `mamba_selective_scan` alone, the model forward (logits_to_keep=1), and generate with
   the cache (per-step time = (T=33 new tokens - T=1) / 32).

Usage: python3 hf_bench.py MODELS_DIR OUT_JSON [sections: models,copy,scan,prefill,generate]
Timing: CUDA events or synchronize + perf_counter, warm-up first, median of repeats (prefill keeps every run),
random inputs.
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import transformers
from transformers import MambaConfig, MambaForCausalLM
from transformers.models.mamba import modeling_mamba

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
DEV = "cuda"

SHAPES = {
    "mamba-130m": dict(vocab_size=50280, hidden_size=768, num_hidden_layers=24),
    "mamba-370m": dict(vocab_size=50280, hidden_size=1024, num_hidden_layers=48),
    "audio": dict(vocab_size=256, hidden_size=64, num_hidden_layers=2),
}


def config(name):
    return MambaConfig(state_size=16, expand=2, conv_kernel=4, tie_word_embeddings=True, use_bias=False,
                       use_conv_bias=True, **SHAPES[name])


def sync_runs(fn, warmup, reps):
    """Milliseconds of each of `reps` timed runs after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        ms.append((time.perf_counter() - t0) * 1e3)
    return ms


def sync_ms(fn, warmup, reps):
    return statistics.median(sync_runs(fn, warmup, reps))


def make_models(root, results):
    for name in SHAPES:
        out = os.path.join(root, name)
        torch.manual_seed(0)
        with torch.device(DEV):
            model = MambaForCausalLM(config(name)).float().eval()
        model.save_pretrained(out, safe_serialization=True)
        if name != "mamba-370m":
            # Parity sample: 2048 random tokens, HF float32 and float64 last-position logits.
            g = torch.Generator().manual_seed(1)
            tokens = torch.randint(0, config(name).vocab_size, (1, 2048), generator=g)
            with torch.no_grad():
                last = model(tokens.to(DEV), use_cache=False, logits_to_keep=1).logits[0, -1].double().cpu().numpy()
            os.makedirs(os.path.join(out, "check"), exist_ok=True)
            tokens.numpy().astype("<i4").tofile(os.path.join(out, "check", "tokens.i32"))
            last.astype("<f8").tofile(os.path.join(out, "check", "last.f64"))
            model = model.double()
            with torch.no_grad():
                last64 = model(tokens.to(DEV), use_cache=False, logits_to_keep=1).logits[0, -1].cpu().numpy()
            last64.astype("<f8").tofile(os.path.join(out, "check", "last64.f64"))
            err = float(np.max(np.abs(last - last64)) / np.max(np.abs(last64)))
            results[f"check/{name}/hf32_vs_64"] = err
            print(f"{name}: HF float32 vs float64 last logits, max relative error {err:.2e}", flush=True)
        print(f"saved {name}: {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters", flush=True)
        del model
        torch.cuda.empty_cache()


def copy_bw(results):
    n = 512 << 20  # floats: 2 GiB
    a = torch.randn(n, device=DEV)
    b = torch.empty_like(a)
    ms = sync_ms(lambda: b.copy_(a), 3, 20)
    results["copy_gbs"] = 2 * 4 * n / (ms * 1e6)
    print(f"torch copy: {results['copy_gbs']:.0f} GB/s", flush=True)
    del a, b


def scan(results):
    cases = {"mamba-130m": (1536, [(1, 2048), (8, 2048), (64, 2048), (1, 16384)]),
             "mamba-370m": (2048, [(8, 2048), (1, 16384)])}
    n = 16
    for name, (e, shapes) in cases.items():
        for batch, length in shapes:
            g = torch.Generator(device=DEV).manual_seed(2)
            u = torch.randn(batch, e, length, device=DEV, generator=g)
            dt = torch.randn(batch, e, length, device=DEV, generator=g)
            a = -torch.exp(0.5 + 0.5 * torch.randn(e, n, device=DEV, generator=g))
            bm = torch.randn(batch, n, length, device=DEV, generator=g)
            cm = torch.randn(batch, n, length, device=DEV, generator=g)
            d = 1 + 0.1 * torch.randn(e, device=DEV, generator=g)
            z = torch.randn(batch, e, length, device=DEV, generator=g)
            bias = -2 + 0.3 * torch.randn(e, device=DEV, generator=g)
            fn = lambda: modeling_mamba.mamba_selective_scan(u, dt, a, bm, cm, D=d, z=z, delta_bias=bias,
                                                             delta_softplus=True)
            reps = 3 if length <= 2048 else 1
            with torch.no_grad():
                ms = sync_ms(fn, 1, reps)
            results[f"scan/{name}/B{batch}/L{length}"] = ms
            print(f"HF scan {name} B{batch} L{length}: {ms:.1f} ms", flush=True)
            del u, dt, bm, cm, z
            torch.cuda.empty_cache()


def prefill(root, results):
    # The slow path launches a few kernels per token and layer from Python, so its speed follows the host's
    # CPU and varies between runs: each shape is timed several times and every run is kept.
    cases = {"mamba-130m": ([(1, 2048), (8, 2048)], 5), "mamba-370m": ([(1, 2048), (8, 2048)], 3)}
    for name, (shapes, reps) in cases.items():
        model = MambaForCausalLM.from_pretrained(os.path.join(root, name), dtype=torch.float32).to(DEV).eval()
        for batch, length in shapes:
            tokens = torch.randint(0, model.config.vocab_size, (batch, length), device=DEV)
            with torch.no_grad():
                runs = sync_runs(lambda: model(tokens, use_cache=False, logits_to_keep=1), 1, reps)
            ms = statistics.median(runs)
            key = f"prefill/{name}/B{batch}/L{length}"
            results[key] = ms
            results[key + "/runs"] = runs
            tps = sorted(batch * length / r * 1e3 for r in runs)
            print(f"HF prefill {name} B{batch} L{length}: median {ms:.0f} ms = {batch * length / ms * 1e3:.0f} tokens/s "
                  f"(runs {tps[0]:.0f} - {tps[-1]:.0f} tokens/s, {len(runs)} runs)", flush=True)
        del model
        torch.cuda.empty_cache()


def generate(root, results):
    cases = {"mamba-130m": [1, 8, 64, 512], "mamba-370m": [1, 64, 512], "audio": [1, 64, 1024, 4096]}
    for name, batches in cases.items():
        model = MambaForCausalLM.from_pretrained(os.path.join(root, name), dtype=torch.float32).to(DEV).eval()
        for batch in batches:
            prompt = torch.randint(0, model.config.vocab_size, (batch, 8), device=DEV)

            def gen(t):
                return lambda: model.generate(input_ids=prompt, max_new_tokens=t, min_new_tokens=t, do_sample=False,
                                              use_cache=True, pad_token_id=0)
            with torch.no_grad():
                one = sync_ms(gen(1), 1, 2)
                many = sync_ms(gen(33), 1, 2)
            step = (many - one) / 32
            results[f"generate/{name}/B{batch}"] = step
            print(f"HF generate {name} B{batch}: {step:.2f} ms/step = {batch / step * 1e3:.0f} tokens/s", flush=True)
        del model
        torch.cuda.empty_cache()


def main():
    root, out = sys.argv[1], sys.argv[2]
    sections = sys.argv[3].split(",") if len(sys.argv) > 3 else ["models", "copy", "scan", "prefill", "generate"]
    os.makedirs(root, exist_ok=True)
    results = {"torch": torch.__version__, "transformers": transformers.__version__,
               "gpu": torch.cuda.get_device_name(0)}
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, {results['gpu']}", flush=True)
    for s in sections:
        t0 = time.perf_counter()
        try:
            if s == "models":
                make_models(root, results)
            elif s == "copy":
                copy_bw(results)
            elif s == "scan":
                scan(results)
            elif s == "prefill":
                prefill(root, results)
            elif s == "generate":
                generate(root, results)
        except Exception as ex:  # keep the other sections' numbers
            print(f"section {s} failed: {ex!r}", flush=True)
        print(f"[python section {s} took {time.perf_counter() - t0:.1f} s]", flush=True)
        with open(out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
