"""The peer for the CPU benchmark table: HF transformers' Mamba on the CPU, same shapes, same threads.

Random-weight MambaForCausalLM models of the shapes in ModelShape.java, float32, eager PyTorch (HF's
slow path: mamba_ssm kernels are CUDA-only). Writes JSON that CpuBenchReport --peer reads:
  {"threads": T, "step": {"AUDIO": {"1": tokens_per_s, ...}}, "prefill": {"MAMBA_130M": {"1024": ...}}}

step:    generate() with cache, greedy, tokens/s = batch * new_tokens / time (prompt of 4 tokens).
prefill: one forward over L tokens with logits_to_keep=1, tokens/s = L / time.

Usage: python3 scripts/hf_cpu_peer.py --threads 16 [--full] --out peer.json
"""
import argparse
import json
import time

import torch
from transformers import MambaConfig, MambaForCausalLM

SHAPES = {  # vocab, hidden, layers, state (ModelShape.java)
    "AUDIO": (256, 64, 2, 16),
    "DNA": (16, 128, 4, 16),
    "MAMBA_130M": (50280, 768, 24, 16),
}


def model_of(shape):
    vocab, hidden, layers, state = SHAPES[shape]
    cfg = MambaConfig(vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers, state_size=state,
                      expand=2, conv_kernel=4, tie_word_embeddings=True)
    torch.manual_seed(0)
    return MambaForCausalLM(cfg).float().eval()


def best_of(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def step_rate(model, vocab, batch, new_tokens):
    prompt = torch.randint(0, vocab, (batch, 4))
    def run():
        with torch.no_grad():
            model.generate(prompt, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                           use_cache=True, pad_token_id=0)
    return batch * new_tokens / best_of(run, 2)


def prefill_rate(model, vocab, length):
    ids = torch.randint(0, vocab, (1, length))
    def run():
        with torch.no_grad():
            model(ids, use_cache=False, logits_to_keep=1)
    return length / best_of(run, 1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--full", action="store_true")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    result = {"threads": a.threads, "torch": torch.__version__, "step": {}, "prefill": {}}
    for shape in SHAPES:
        model = model_of(shape)
        vocab = SHAPES[shape][0]
        big = shape == "MAMBA_130M"
        batches = ([1, 16, 64, 256] if a.full else [1, 16, 64]) if big else [1, 16, 64, 256, 1024]
        result["step"][shape] = {}
        for b in batches:
            r = step_rate(model, vocab, b, 8 if big else 24)
            result["step"][shape][str(b)] = r
            print(f"step    {shape:10s} batch {b:5d}: {r:12,.0f} tokens/s", flush=True)
        lengths = [1024, 4096] if big else [1024, 16384, 65536]
        result["prefill"][shape] = {}
        for length in lengths:
            r = prefill_rate(model, vocab, length)
            result["prefill"][shape][str(length)] = r
            print(f"prefill {shape:10s} L {length:6d}: {r:12,.0f} tokens/s", flush=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
