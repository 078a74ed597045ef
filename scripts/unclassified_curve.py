#!/usr/bin/env python3
"""The --min-probability curve: for each threshold, what share of known-species reads stays classified
(and how many of those are right), and what share of unseen-species reads comes out unclassified.

  unclassified_curve.py KNOWN_PREDICTIONS.tsv UNSEEN_PREDICTIONS.tsv

Both files come from dna-classify --min-probability 0 (every read keeps its most probable label). The true
label of a known read is the text of its name before the first '.'.
"""
import sys

THRESHOLDS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)


def rows(path):
    with open(path) as f:
        lines = [line.rstrip("\n").split("\t") for line in f if not line.startswith("#")]
    header = lines[0]
    read, predicted, probability = header.index("read_id"), header.index("predicted"), header.index("probability")
    return [(r[read], r[predicted], float(r[probability])) for r in lines[1:]]


def main():
    known, unseen = rows(sys.argv[1]), rows(sys.argv[2])
    print(f"known-species reads: {len(known)}; unseen-species reads: {len(unseen)}")
    print("| min probability | known reads classified | of those correct | known reads correct (all) "
          "| unseen reads unclassified |")
    print("|---:|---:|---:|---:|---:|")
    for t in THRESHOLDS:
        kept = [(r, p) for r, p, q in known if q >= t]
        correct = sum(1 for r, p in kept if r.split(".", 1)[0] == p)
        dropped = sum(1 for _, _, q in unseen if q < t)
        print(f"| {t:.3f} | {100 * len(kept) / len(known):.2f} % | {100 * correct / max(len(kept), 1):.2f} % "
              f"| {100 * correct / len(known):.2f} % | {100 * dropped / len(unseen):.2f} % |")


if __name__ == "__main__":
    main()
