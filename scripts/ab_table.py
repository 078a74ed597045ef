"""The table run-step-ab.sh ends with: per shape, batch and build, the median and spread of every measured
JMH iteration over all rounds, and each round's own median. Usage: ab_table.py OUT_DIR JAR_A JAR_B ..."""
import json
import pathlib
import re
import statistics
import sys


def main():
    out = pathlib.Path(sys.argv[1])
    builds = sys.argv[2:]
    samples = {}  # (shape, batch, build) -> {round: [us per op, ...]}
    for f in sorted(out.glob("round*-build*.json")):
        rnd, build = map(int, re.match(r"round(\d+)-build(\d+)\.json", f.name).groups())
        for result in json.loads(f.read_text()):
            p = result["params"]
            key = (p["shape"], int(p["batch"]), build)
            raw = [x for fork in result["primaryMetric"]["rawData"] for x in fork]
            samples.setdefault(key, {})[rnd] = raw
    print("| shape | batch | build | median us/step | p10-p90 | round medians | vs build 1 |")
    print("|---|---|---|---|---|---|---|")
    for shape, batch in sorted({k[:2] for k in samples}):
        base = None
        for b in range(1, len(builds) + 1):
            rounds = samples.get((shape, batch, b))
            if not rounds:
                continue
            every = sorted(x for r in rounds.values() for x in r)
            med = statistics.median(every)
            base = med if b == 1 else base
            deciles = statistics.quantiles(every, n=10) if len(every) > 1 else [med] * 9
            per_round = " / ".join(f"{statistics.median(rounds[r]):.0f}" for r in sorted(rounds))
            print(f"| {shape} | {batch} | {b}: {builds[b - 1]} | {med:.0f} | {deciles[0]:.0f}-{deciles[-1]:.0f} "
                  f"| {per_round} | {med / base:.2f} |")


if __name__ == "__main__":
    main()
