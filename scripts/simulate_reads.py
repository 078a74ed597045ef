#!/usr/bin/env python3
"""Simulates DNA reads from a FASTA of references, fast enough for millions of reads (numpy only).

  simulate_reads.py [--reads N] [--seed S] [--error-rate E] [--parts K] REFS.fa OUT.fastq

With --parts K the reads go round-robin into K files OUT-1.fastq ... OUT-K.fastq (dna-classify reads a FASTQ
file as one split, so K files are read by K source subtasks).

Each read picks a reference uniformly, a length of 100, 125 or 150 bases (shorter references give shorter
reads), a start and a strand; bases then get substitution errors at rate E (default 0.005). Reads are named
REFERENCE-L<length>-<n> (the label is the text before the first '.', as in scripts/ape_data.py) and written
in read order, quality 'I' throughout (a FASTQ file is one sample to dna-classify). ART (docs/genomics.md) makes the reads of the shipped data sets; this one is for
load tests on machines without it, where the exact error model does not matter.
"""
import argparse
import sys

import numpy as np

LENGTHS = (100, 125, 150)
BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
COMPLEMENT = bytes.maketrans(b"ACGTN", b"TGCAN")


def read_fasta(path):
    names, seqs, name, parts = [], [], None, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith(">"):
                if name is not None:
                    names.append(name)
                    seqs.append("".join(parts).upper().encode())
                name, parts = line[1:].split()[0], []
            elif line:
                parts.append(line)
    if name is not None:
        names.append(name)
        seqs.append("".join(parts).upper().encode())
    if not names:
        sys.exit(f"{path}: no FASTA records")
    return names, seqs


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reads", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=4001)
    p.add_argument("--error-rate", type=float, default=0.005)
    p.add_argument("--parts", type=int, default=1)
    p.add_argument("refs")
    p.add_argument("out")
    a = p.parse_args()
    names, seqs = read_fasta(a.refs)
    rng = np.random.default_rng(a.seed)
    block = 100_000
    written = 0
    if a.parts > 1:
        stem = a.out[:-len(".fastq")] if a.out.endswith(".fastq") else a.out
        outs = [open(f"{stem}-{k + 1}.fastq", "wb") for k in range(a.parts)]
    else:
        outs = [open(a.out, "wb")]
    try:
        while written < a.reads:
            n = min(block, a.reads - written)
            ref = rng.integers(0, len(seqs), n)
            length = np.array(LENGTHS)[rng.integers(0, len(LENGTHS), n)]
            reverse = rng.random(n) < 0.5
            u = rng.random(n)
            lines = []
            for i in range(n):
                seq = seqs[ref[i]]
                length_i = min(int(length[i]), len(seq))
                start = int(u[i] * (len(seq) - length_i + 1))
                r = np.frombuffer(seq[start:start + length_i], dtype=np.uint8).copy()
                errors = rng.random(length_i) < a.error_rate
                if errors.any():
                    r[errors] = BASES[rng.integers(0, 4, int(errors.sum()))]
                b = r.tobytes()
                if reverse[i]:
                    b = b.translate(COMPLEMENT)[::-1]
                k = written + i
                lines.append(b"@%s-L%d-%d\n%s\n+\n%s\n" % (names[ref[i]].encode(), length_i, k, b, b"I" * length_i))
            for k, out in enumerate(outs):
                out.write(b"".join(lines[(k - written) % len(outs)::len(outs)]))
            written += n
    finally:
        for out in outs:
            out.close()
    print(f"simulate_reads: {written} reads from {len(names)} references -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
