#!/usr/bin/env python3
"""Scores a dna-classify predictions.tsv against the simulated reads' truth.

Per-read accuracy over all reads and over the reads whose true sequence differs from every other
label's references ("the species differ within the read"), the chimpanzee/bonobo-identical reads,
and per-sample majority-vote accuracy (samples of >= 50 reads).

Usage: score_predictions.py --refs testdata/genomics/apes-mtdna.fa --sam target/ape-data/test.sam \
           PREDICTIONS.tsv [SAMPLES.tsv]
"""
import argparse
import collections
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "training"))
from train_dna_classifier import read_fasta, read_sam  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--refs", required=True)
    p.add_argument("--sam", required=True, help="the SAM the reads came from (ART alignments give the truth)")
    p.add_argument("predictions")
    p.add_argument("samples", nargs="?")
    a = p.parse_args()
    reads = {r[0]: r for r in read_sam(a.sam, read_fasta(a.refs))}
    rows = [l.rstrip("\n").split("\t") for l in open(a.predictions)][1:]
    ok = amb = amb_ok = unamb = unamb_ok = cb_identical = 0
    for read_id, sample, predicted, prob in rows:
        _, label, _, _, others = reads[read_id]
        hit = predicted == label
        ok += hit
        if others:
            amb += 1
            amb_ok += hit
            cb_identical += label in ("chimpanzee", "bonobo") and bool({"chimpanzee", "bonobo"} - {label} & others)
        else:
            unamb += 1
            unamb_ok += hit
    out = {"reads": len(rows), "read_accuracy": ok / len(rows),
           "unambiguous_reads": unamb, "unambiguous_read_accuracy": unamb_ok / max(unamb, 1),
           "ambiguous_reads": amb, "ambiguous_correct": amb_ok,
           "chimpanzee_bonobo_identical_reads": cb_identical}
    if a.samples:
        truth = collections.defaultdict(collections.Counter)
        for r in reads.values():
            truth[r[2]][r[1]] += 1
        srows = [l.rstrip("\n").split("\t") for l in open(a.samples)][1:]
        scored = [(s, pred) for s, n, pred, _ in srows if int(n) >= 50]
        out["samples_ge50"] = len(scored)
        out["sample_accuracy_ge50"] = sum(truth[s].most_common(1)[0][0] == pred for s, pred in scored) / max(len(scored), 1)
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
