"""Side-by-side tables of one mamba-ssm-peer.sh run: ScanFlow (CudaBench's bench.md) and mamba_ssm
(mamba_ssm.json), same GPU, same weights. Usage: python3 peer_tables.py RESULTS > peer.md"""
import json
import os
import sys


def bench_rows(path, title_start):
    """Rows (lists of cells) of the bench.md table whose title starts with title_start."""
    rows, inside = [], False
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("#"):
            inside = line.lstrip("# ").startswith(title_start)
            continue
        if inside and line.startswith("| ") and not line.startswith("| model") and not line.startswith("|--"):
            rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


def num(cell):
    try:
        return float(cell.replace(",", ""))
    except ValueError:
        return float("nan")


def ratio(ours, theirs):
    return "n/a" if ours != ours or theirs != theirs or theirs == 0 else f"{ours / theirs:.2f}x"


def main():
    res = sys.argv[1]
    peer = json.load(open(os.path.join(res, "mamba_ssm.json")))
    bench = os.path.join(res, "bench.md")
    print(f"# ScanFlow vs mamba_ssm, same run, same weights ({peer.get('gpu', '?')}, torch {peer.get('torch', '?')})\n")
    print("What of mamba_ssm runs here:\n")
    for k, v in peer.items():
        if k.startswith("probe/") or k.startswith("failed/"):
            print(f"- {k}: {v}")
    print("\n## Parity: last logits after 2048 tokens of mamba-130m (random weights) against HF float64\n")
    for k, v in peer.items():
        if k.startswith("parity/"):
            print(f"- mamba_ssm {k.split('/')[-1]}: max relative error {v:.2e}")
    print("\n## Batched decoding step, greedy, CUDA graphs on both sides (tokens/s; ratio > 1: ScanFlow faster)\n")
    print("| model | batch | ScanFlow float32 | mamba_ssm float32 | ratio | mamba_ssm BF16 | ScanFlow float32 vs mamba_ssm BF16 |")
    print("|---|---|---|---|---|---|---|")
    ours = {(r[0], int(r[1])): num(r[4]) for r in bench_rows(bench, "3. Batched step") if len(r) > 4} \
        if os.path.exists(bench) else {}
    for k, ms in peer.items():
        parts = k.split("/")
        if parts[0] != "step" or parts[2] != "float32":
            continue
        name, batch = parts[1], int(parts[3][1:])
        our_ms = ours.get((name, batch), float("nan"))
        our_tps = batch / our_ms * 1e3
        f32 = batch / ms * 1e3
        bf = peer.get(f"step/{name}/bf16/B{batch}")
        bf_tps = batch / bf * 1e3 if bf else float("nan")
        print(f"| {name} | {batch} | {our_tps:,.0f} | {f32:,.0f} | {ratio(our_tps, f32)} | {bf_tps:,.0f} | {ratio(our_tps, bf_tps)} |")
    print("\n## Prefill, last-position logits (tokens/s)\n")
    print("| model | batch | L | ScanFlow float32 | mamba_ssm float32 | ratio | mamba_ssm BF16 | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for r in bench_rows(bench, "2. Whole-model prefill") if os.path.exists(bench) else []:
        if len(r) < 5 or "," in r[0]:
            continue
        name, batch, length, tps = r[0], int(r[1]), int(r[2].replace(",", "")), num(r[4])
        f32 = peer.get(f"prefill/{name}/float32/B{batch}/L{length}")
        bf = peer.get(f"prefill/{name}/bf16/B{batch}/L{length}")
        t32 = batch * length / f32 * 1e3 if f32 else float("nan")
        tbf = batch * length / bf * 1e3 if bf else float("nan")
        cell = lambda t: "not run (needs selective_scan_cuda)" if t != t else f"{t:,.0f}"
        print(f"| {name} | {batch} | {length} | {tps:,.0f} | {cell(t32)} | {ratio(tps, t32)} | {cell(tbf)} | {ratio(tps, tbf)} |")
    print("\n## Mamba-2 chunked scan alone (mamba_chunk_scan_combined; 24 heads x 64, state 128, chunk 256)\n")
    print("| precision | batch | L | ms | tokens/s |")
    print("|---|---|---|---|---|")
    for k, ms in peer.items():
        parts = k.split("/")
        if parts[0] == "ssd":
            batch, length = int(parts[2][1:]), int(parts[3][1:])
            print(f"| {parts[1]} | {batch} | {length} | {ms:.3f} | {batch * length / ms * 1e3:,.0f} |")


if __name__ == "__main__":
    main()
