#!/usr/bin/env python3
"""Markdown tables from a `gpu-jobs.sh run` results folder: gpu_tables.py RESULTS > summary.md."""
import os
import re
import statistics
import sys


def text(results, name):
    try:
        with open(os.path.join(results, name), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def dna(results):
    out = ["| dna-classify --engine cuda | reads | seconds | bases/s end to end | bases/s between the first and"
           " last progress lines with reads |", "|---|---:|---:|---:|---:|"]
    pat = re.compile(r"(\d+) reads classified.* ([\d.]+) s, (\d+) bases/s")
    for name, what in (("dna-cuda.txt", "parallelism: one subtask per core"), ("dna-cuda-p4.txt", "--parallelism 4"),
                       ("dna-cuda-p4-500ms.txt", "--parallelism 4 --checkpoint-interval 500ms")):
        lines = [l for l in text(results, name).splitlines() if l.startswith("dna-classify: ") and "bases/s" in l]
        points = [(int(m.group(1)), float(m.group(2)), float(m.group(3))) for m in map(pat.search, lines) if m]
        if not points:
            continue
        reads, seconds, rate = points[-1]
        steady = ""
        busy = [p for p in points[:-1] if p[0] > 0]
        if len(busy) >= 2:
            (r0, t0, b0), (r1, t1, b1) = busy[0], busy[-1]
            steady = f"{(b1 * t1 - b0 * t0) / (t1 - t0):,.0f} ({r0:,} -> {r1:,} reads, {t0:.1f} -> {t1:.1f} s)"
        out.append(f"| {what} | {reads:,} | {seconds:.1f} | {rate:,.0f} | {steady} |")
    if len(out) == 2:
        out = []
    engine = text(results, "engine-dna.md").strip()
    if engine:
        out += ["", "Engine alone (same run):", "", engine]
    compare = text(results, "dna-compare.txt").strip()
    if compare:
        out += ["", "CPU and CUDA engine on the same reads: " + compare]
    return out


def audio(results):
    out = []
    fast = [l for l in text(results, "audio-fast.txt").splitlines() if l.startswith("audio-generate:")]
    if fast:
        out += ["as fast as possible, " + fast[-1], "", text(results, "audio-choice.txt").strip(), ""]
    summary = [l for l in text(results, "audio.txt").splitlines() if l.startswith("audio-generate:")]
    if summary:
        out.append("audio-generate: " + summary[-1][len("audio-generate: "):])
    pat = re.compile(r"Completed checkpoint (\d+) .*?\((\d+) bytes, checkpointDuration=(\d+) ms")
    cps = [(int(m.group(1)), int(m.group(2)), int(m.group(3)))
           for m in map(pat.search, text(results, "audio-checkpoints.txt").splitlines()) if m]
    if cps:
        sizes = [c[1] for c in cps]
        durations = [c[2] for c in cps]
        out += ["", "| checkpoints | count | duration ms median (min-max) | size bytes median (min-max) |",
                "|---|---:|---:|---:|",
                f"| completed | {len(cps)} | {statistics.median(durations):.0f} ({min(durations)}-{max(durations)}) |"
                f" {statistics.median(sizes):,.0f} ({min(sizes):,}-{max(sizes):,}) |"]
    factors = []
    for l in text(results, "audio-generation.tsv").splitlines()[1:]:
        f = l.split("\t")
        if len(f) == 4:
            factors.append(float(f[3]))
    if factors:
        out.append("")
        out.append(f"sessions {len(factors)}; real-time factor min {min(factors):.3f}, median "
                   f"{statistics.median(factors):.3f}; sessions below 1.0: {sum(1 for x in factors if x < 1.0)}")
    return out


def stream(results):
    out = []
    for name in ("stream-compare.txt", "stream-failure.txt"):
        t = text(results, name).strip()
        if t:
            out += [t, ""]
    for name in ("stream-cpu.txt", "stream-cuda.txt"):
        rows = [l.strip() for l in text(results, name).splitlines() if re.match(r"\s+(time|throughput|engine)\s", l)]
        if rows:
            out.append(name + ": " + "; ".join(re.sub(r"\s{2,}", " ", r) for r in rows))
    return out


def main():
    results = sys.argv[1]
    log = text(results, "run.log").splitlines()
    gpu = [l for l in log if "H100" in l or "H200" in l or "NVIDIA" in l]
    started = [l for l in log if l.startswith("run started")]
    print("# ScanFlow jobs through Flink on the GPU")
    print()
    print("GPU: " + (gpu[0] if gpu else "?") + "; " + (started[0] if started else ""))
    for title, part in (("DNA reads", dna), ("Audio generation", audio), ("Stream generation with a failure", stream)):
        lines = part(results)
        if lines:
            print()
            print("## " + title)
            print()
            print("\n".join(lines))


if __name__ == "__main__":
    main()
