"""The mamba_ssm side of the CUDA backend benchmarks: state-spaces/mamba's own kernels on the same GPU, in the
same run and on the same weights as CudaBench (the checkpoints hf_bench.py saves in MODELS_DIR).

What runs without a compiler: mamba_ssm's Triton kernels (`selective_state_update` for the Mamba-1 step,
its fused RMSNorm, the Mamba-2 chunked scan `mamba_chunk_scan_combined`). Mamba-1's CUDA selective scan
(`selective_scan_cuda`, prefill) and causal-conv1d are C++/CUDA extensions: they are used where importable
and reported as missing otherwise (without causal-conv1d, mamba_ssm's step falls back to its torch conv update).

Sections:
  probe     which of mamba_ssm's parts import here (and versions)
  parity    batch-1 step over the 2048 check tokens from an empty state, last logits against HF float64, in
            float32 and in BF16 (the error a BF16 user of mamba_ssm gets)
  step      mamba_ssm's decoding step with its own CUDA-graph cache (update_graph_cache, as generate(cg=True)
            runs it) plus the greedy argmax, at batch 1, 64, 2048 (mamba-130m) and 1, 64 (mamba-370m), float32
            (TF32 off, as our float32 path) and BF16
  ssd       the Mamba-2 chunked scan alone (mamba_chunk_scan_combined), mamba-130m-sized Mamba-2 layer
            (24 heads x 64, state 128, chunk 256), batch 1, 8, 64 at L 2048, float32 and BF16 inputs
  prefill   the model forward at batch 1, 8 x L 2048 when selective_scan_cuda imports

Usage: PYTHONPATH=MAMBA_SRC python3 mamba_ssm_bench.py MODELS_DIR OUT_JSON [sections]
Timing: warm-up first, CUDA synchronize around each timed run, median of the repeats.
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
DEV = "cuda"
SHAPES = {"mamba-130m": (768, 24), "mamba-370m": (1024, 48)}


def median_ms(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    runs = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        runs.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(runs)


def probe(results):
    import importlib
    for name in ["mamba_ssm", "selective_scan_cuda", "causal_conv1d", "causal_conv1d_cuda", "triton", "einops"]:
        try:
            mod = importlib.import_module(name)
            results[f"probe/{name}"] = getattr(mod, "__version__", "yes")
        except Exception as ex:  # a missing extension is a finding, not a failure
            results[f"probe/{name}"] = f"missing ({type(ex).__name__}: {ex})"
        print(f"{name}: {results[f'probe/{name}']}", flush=True)


def load_model(root, name, dtype):
    """mamba_ssm's MambaLMHeadModel with the HF checkpoint's weights (only the embedding's name differs)."""
    from safetensors.torch import load_file
    from mamba_ssm.models.config_mamba import MambaConfig
    from mamba_ssm.models.mixer_seq_simple import MambaLMHeadModel
    d, layers = SHAPES[name]
    cfg = MambaConfig(d_model=d, n_layer=layers, vocab_size=50280, ssm_cfg={"layer": "Mamba1"}, rms_norm=True,
                      residual_in_fp32=True, fused_add_norm=True, pad_vocab_size_multiple=8, tie_embeddings=True)
    model = MambaLMHeadModel(cfg, device=DEV, dtype=torch.float32)
    hf = load_file(os.path.join(root, name, "model.safetensors"))
    state = {k.replace("backbone.embeddings.", "backbone.embedding."): v for k, v in hf.items()}
    state.setdefault("lm_head.weight", state["backbone.embedding.weight"])
    missing, unexpected = model.load_state_dict(state, strict=False)
    if [m for m in missing if m != "lm_head.weight"] or unexpected:
        raise RuntimeError(f"weights do not map: missing {missing}, unexpected {unexpected}")
    return model.to(dtype).eval()


def graph_step(model, batch, max_seqlen):
    """mamba_ssm's own CUDA-graph decoding step (generate(cg=True)'s path): returns step(tokens, pos) -> logits."""
    from mamba_ssm.utils.generation import update_graph_cache
    cache = update_graph_cache(model, None, batch, 0, max_seqlen)
    cache.inference_params.reset(max_seqlen, batch)
    # The capture's warm-up steps ran on the cache: start from an empty state.
    for states in cache.inference_params.key_value_memory_dict.values():
        for t in states:
            t.zero_()

    def step(tokens, pos):
        positions = torch.full((batch, 1), pos, dtype=torch.long, device=DEV)
        cache.inference_params.seqlen_offset = pos
        return cache.run(tokens, positions, pos)[:, -1, :]
    return step


def parity(root, results):
    name = "mamba-130m"
    check = os.path.join(root, name, "check")
    tokens = torch.from_numpy(np.fromfile(os.path.join(check, "tokens.i32"), dtype="<i4").astype(np.int64)).to(DEV)
    ref = np.fromfile(os.path.join(check, "last64.f64"), dtype="<f8")
    for label, dtype in [("float32", torch.float32), ("bf16", torch.bfloat16)]:
        model = load_model(root, name, dtype)
        # Position 0 goes through the forward path (selective_scan_cuda); starting the cache at position 1
        # with an empty state steps from the same zero state.
        step = graph_step(model, 1, len(tokens) + 2)
        with torch.no_grad():
            for i in range(len(tokens)):
                logits = step(tokens[i].view(1, 1), i + 1)
        got = logits[0, :50280].double().cpu().numpy()
        err = float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))
        results[f"parity/{name}/{label}"] = err
        print(f"mamba_ssm step {name} {label} vs HF float64, 2048 tokens: max relative error {err:.2e}", flush=True)
        del model
        torch.cuda.empty_cache()


def step(root, results):
    cases = {"mamba-130m": [1, 64, 2048], "mamba-370m": [1, 64]}
    for name, batches in cases.items():
        for label, dtype in [("float32", torch.float32), ("bf16", torch.bfloat16)]:
            model = load_model(root, name, dtype)
            for batch in batches:
                run = graph_step(model, batch, 64)
                tokens = torch.randint(0, 50280, (batch, 1), device=DEV)

                def one():
                    nonlocal tokens
                    tokens = run(tokens, 1).argmax(dim=-1, keepdim=True)
                with torch.no_grad():
                    ms = median_ms(one, 5, 50 if batch < 2048 else 20)
                results[f"step/{name}/{label}/B{batch}"] = ms
                print(f"mamba_ssm step {name} {label} B{batch}: {ms:.3f} ms = {batch / ms * 1e3:.0f} tokens/s",
                      flush=True)
            del model
            torch.cuda.empty_cache()


def ssd(results):
    from mamba_ssm.ops.triton.ssd_combined import mamba_chunk_scan_combined
    heads, headdim, n, chunk, length = 24, 64, 128, 256, 2048
    for label, dtype in [("float32", torch.float32), ("bf16", torch.bfloat16)]:
        for batch in [1, 8, 64]:
            g = torch.Generator(device=DEV).manual_seed(3)
            x = torch.randn(batch, length, heads, headdim, device=DEV, generator=g).to(dtype)
            dt = torch.nn.functional.softplus(torch.randn(batch, length, heads, device=DEV, generator=g) - 2).to(dtype)
            a = -torch.exp(torch.randn(heads, device=DEV, generator=g))
            b = torch.randn(batch, length, 1, n, device=DEV, generator=g).to(dtype)
            c = torch.randn(batch, length, 1, n, device=DEV, generator=g).to(dtype)
            d = torch.ones(heads, device=DEV)
            with torch.no_grad():
                ms = median_ms(lambda: mamba_chunk_scan_combined(x, dt, a, b, c, chunk, D=d), 3, 20)
            results[f"ssd/{label}/B{batch}/L{length}"] = ms
            print(f"mamba_ssm SSD scan {label} B{batch} L{length}: {ms:.3f} ms = {batch * length / ms * 1e3:.0f} tokens/s",
                  flush=True)
            del x, dt, b, c
            torch.cuda.empty_cache()


def prefill(root, results):
    for name, shapes in {"mamba-130m": [(1, 2048), (8, 2048)], "mamba-370m": [(8, 2048)]}.items():
        for label, dtype in [("float32", torch.float32), ("bf16", torch.bfloat16)]:
            model = load_model(root, name, dtype)
            for batch, length in shapes:
                tokens = torch.randint(0, 50280, (batch, length), device=DEV)
                with torch.no_grad():
                    ms = median_ms(lambda: model(tokens, num_last_tokens=1), 2, 5)
                results[f"prefill/{name}/{label}/B{batch}/L{length}"] = ms
                print(f"mamba_ssm prefill {name} {label} B{batch} L{length}: {ms:.2f} ms = "
                      f"{batch * length / ms * 1e3:.0f} tokens/s", flush=True)
            del model
            torch.cuda.empty_cache()


def main():
    root, out = sys.argv[1], sys.argv[2]
    sections = sys.argv[3].split(",") if len(sys.argv) > 3 else ["probe", "parity", "step", "ssd", "prefill"]
    results = {"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0)}
    failed = []
    for s in sections:
        t0 = time.perf_counter()
        try:
            {"probe": lambda: probe(results), "parity": lambda: parity(root, results),
             "step": lambda: step(root, results), "ssd": lambda: ssd(results),
             "prefill": lambda: prefill(root, results)}[s]()
        except Exception as ex:  # keep the other sections' numbers, fail at the end
            failed.append(s)
            results[f"failed/{s}"] = repr(ex)
            print(f"section {s} failed: {ex!r}", flush=True)
        print(f"[mamba_ssm section {s} took {time.perf_counter() - t0:.1f} s]", flush=True)
        with open(out, "w") as f:
            json.dump(results, f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
