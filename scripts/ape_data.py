#!/usr/bin/env python3
"""Builds ScanFlow's ape / primate mitochondrial DNA data set from two Debian packages.

Sources (both NEXUS alignments of real mtDNA):
  beast-mcmc-examples   examples/Data/apes.nex.gz        6 apes, 768 columns
  beast2-mcmc-examples  examples/nexus/primate-mtDNA.nex.gz  12 primates, 898 columns
                        (Hayasaka, Gojobori and Horai 1988, Mol. Biol. Evol. 5:626-644)

Subcommands (scripts/make-ape-data.sh runs them in order):
  refs OUT.fa          gap-free FASTA references, one record per taxon, named
                       LABEL.DATASET.TAXON (the label is the text before the first '.')
  sam-to-bam ...       ART's SAM -> SAM with read groups (samples) and renamed reads
  identical ...        counts reads whose true (error-free) sequence also occurs, on either
                       strand, in a reference of another label
  unseen OUT.fa        references of species the classifier never saw (29 Anolis lizards, ND2;
                       Darwin's finches, control region; beast-mcmc-examples), named
                       unseen.DATASET.TAXON, to measure how often their reads come out unclassified
Read names are REFERENCE-L<read length>-<n>, so the truth label of a read is the text of its
name before the first '.'.
"""
import argparse
import collections
import gzip
import json
import re
import sys

APES = "/usr/share/doc/beast-mcmc/examples/Data/apes.nex.gz"
PRIMATES = "/usr/share/doc/beast2-mcmc/examples/nexus/primate-mtDNA.nex.gz"

# taxon in the NEXUS file -> (label, record name); labels are the classifier's classes.
APE_TAXA = {
    "human": ("human", "human.apes.Homo_sapiens"),
    "chimp": ("chimpanzee", "chimpanzee.apes.Pan_troglodytes"),
    "bonobo": ("bonobo", "bonobo.apes.Pan_paniscus"),
    "gorilla": ("gorilla", "gorilla.apes.Gorilla_gorilla"),
    "orangutan": ("orangutan", "orangutan.apes.Pongo_pygmaeus"),
    "siamang": ("gibbon", "gibbon.apes.Symphalangus_syndactylus"),
}
ANOLIS = "/usr/share/doc/beast-mcmc/examples/Data/anolis.nex.gz"
FINCHES = "/usr/share/doc/beast-mcmc/examples/Data/Darwins-finches.nex.gz"
PRIMATE_TAXA = {
    "Lemur_catta": ("lemur", "lemur.primates.Lemur_catta"),
    "Homo_sapiens": ("human", "human.primates.Homo_sapiens"),
    "Pan": ("chimpanzee", "chimpanzee.primates.Pan"),
    "Gorilla": ("gorilla", "gorilla.primates.Gorilla"),
    "Pongo": ("orangutan", "orangutan.primates.Pongo"),
    "Hylobates": ("gibbon", "gibbon.primates.Hylobates"),
    "Macaca_fuscata": ("macaque", "macaque.primates.Macaca_fuscata"),
    "M._mulatta": ("macaque", "macaque.primates.Macaca_mulatta"),
    "M._fascicularis": ("macaque", "macaque.primates.Macaca_fascicularis"),
    "M._sylvanus": ("macaque", "macaque.primates.Macaca_sylvanus"),
    "Saimiri_sciureus": ("squirrel_monkey", "squirrel_monkey.primates.Saimiri_sciureus"),
    "Tarsius_syrichta": ("tarsier", "tarsier.primates.Tarsius_syrichta"),
}
COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


def read_nexus_matrix(path):
    """Rows of the MATRIX block, in file order; interleaved blocks are concatenated; comments dropped."""
    text = gzip.open(path, "rt").read().replace("\r", "\n")
    text = re.sub(r"\[[^\]]*\]", "", text)  # NEXUS comments, including the column rulers
    m = re.search(r"\bmatrix\b(.*?);", text, re.IGNORECASE | re.DOTALL)
    if not m:
        sys.exit(f"{path}: no MATRIX block")
    match_char = re.search(r"matchchar\s*=\s*(\S)", text, re.IGNORECASE)
    nchar = int(re.search(r"nchar\s*=\s*(\d+)", text, re.IGNORECASE).group(1))
    rows = collections.OrderedDict()
    for line in m.group(1).splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        rows[parts[0]] = rows.get(parts[0], "") + "".join(parts[1:]).upper()
    first = next(iter(rows.values()))
    if match_char:
        mc = match_char.group(1)
        rows = collections.OrderedDict(
            (k, "".join(f if c == mc else c for c, f in zip(v, first))) for k, v in rows.items())
    for k, v in rows.items():
        if len(v) != nchar:
            sys.exit(f"{path}: taxon {k} has {len(v)} columns, NCHAR says {nchar}")
    return rows, nchar


def cmd_refs(args):
    records = []
    for path, taxa in ((APES, APE_TAXA), (PRIMATES, PRIMATE_TAXA)):
        rows, nchar = read_nexus_matrix(path)
        if set(rows) != set(taxa):
            sys.exit(f"{path}: taxa {sorted(rows)} differ from the expected {sorted(taxa)}")
        for taxon, aligned in rows.items():
            label, name = taxa[taxon]
            seq = gap_free(aligned)
            records.append((name, label, taxon, path.rsplit("/", 1)[1], nchar, seq))
    write_fasta(args.out, [(f"{name} label={label} taxon={taxon} source={source} aligned_columns={nchar}", seq)
                           for name, label, taxon, source, nchar, seq in records])
    for name, label, taxon, source, nchar, seq in records:
        print(f"{name}\t{len(seq)} bp", file=sys.stderr)


def gap_free(aligned):
    """Alignment gaps removed; missing data ('?') and other IUPAC codes become N."""
    return "".join(c if c in "ACGT" else "N" for c in aligned if c != "-")


def write_fasta(path, records):
    with open(path, "w") as f:
        for header, seq in records:
            f.write(f">{header}\n")
            for i in range(0, len(seq), 60):
                f.write(seq[i:i + 60] + "\n")


def cmd_unseen(args):
    records = []
    for path, dataset in ((ANOLIS, "anolis"), (FINCHES, "finches")):
        rows, nchar = read_nexus_matrix(path)
        for taxon, aligned in rows.items():
            records.append((f"unseen.{dataset}.{taxon} source={path.rsplit('/', 1)[1]}", gap_free(aligned)))
    write_fasta(args.out, records)
    print(f"{len(records)} references of unseen species", file=sys.stderr)


def read_fasta(path):
    seqs, name = collections.OrderedDict(), None
    for line in open(path):
        line = line.strip()
        if line.startswith(">"):
            name = line[1:].split()[0]
            seqs[name] = []
        elif line:
            seqs[name].append(line.upper())
    return {k: "".join(v) for k, v in seqs.items()}


def ref_span(pos, cigar):
    return sum(int(n) for n, op in re.findall(r"(\d+)([MIDNSHP=X])", cigar) if op in "MDN=X")


def cmd_sam_to_bam(args):
    """Merges ART SAM files into one SAM with read groups. Each reference's reads (taken in the
    order ART wrote them, runs interleaved) are dealt into samples of --sample-size reads;
    --samples-per-ref caps how many samples each reference gets (the rest of its reads are dropped)."""
    per_ref = collections.OrderedDict()
    header_sq = collections.OrderedDict()
    for path in args.sam:
        run = re.search(r"L(\d+)", path.rsplit("/", 1)[-1]).group(1)
        for line in open(path):
            if line.startswith("@SQ"):
                # ART copies the whole FASTA header line into SN; keep the name only.
                sn = re.search(r"SN:(\S+)", line).group(1)
                ln = re.search(r"LN:(\d+)", line).group(1)
                header_sq[sn] = f"@SQ\tSN:{sn}\tLN:{ln}\n"
                continue
            if line.startswith("@"):
                continue
            f = line.rstrip("\n").split("\t")
            ref = f[2]
            f[0] = f"{ref}-L{run}-{f[0].rsplit('-', 1)[1]}"
            per_ref.setdefault(ref, []).append(f)
    samples = collections.OrderedDict()
    n = 0
    for ref, reads in per_ref.items():
        # Interleave the runs (read lengths) so every sample holds all lengths.
        by_run = collections.OrderedDict()
        for r in reads:
            by_run.setdefault(r[0].split("-L")[1].split("-")[0], []).append(r)
        mixed = [r for group in zip(*by_run.values()) for r in group]
        k = 0
        for i in range(0, len(mixed) - args.sample_size + 1, args.sample_size):
            if args.samples_per_ref and k >= args.samples_per_ref:
                break
            n += 1
            k += 1
            samples[f"{args.prefix}{n:02d}"] = (ref, mixed[i:i + args.sample_size])
    with open(args.out, "w") as out:
        out.write("@HD\tVN:1.6\tSO:unsorted\n")
        for line in header_sq.values():
            out.write(line)
        for s in samples:
            out.write(f"@RG\tID:{s}\tSM:{s}\tPL:ILLUMINA\tDS:ART simulated reads\n")
        out.write("@PG\tID:art\tPN:ART_Illumina\n")
        for s, (ref, reads) in samples.items():
            for f in reads:
                f[5] = re.sub(r"(\d+)[=X]", r"\1M", f[5])  # ART's =/X as plain M (merged below)
                f[5] = fit_cigar(merge_cigar(f[5]), len(f[9]))
                out.write("\t".join(f[:11] + [f"RG:Z:{s}"]) + "\n")
    if args.truth:
        with open(args.truth, "w") as t:
            t.write("sample\treads\tlabel\treference\n")
            for s, (ref, reads) in samples.items():
                t.write(f"{s}\t{len(reads)}\t{ref.split('.')[0]}\t{ref}\n")
    print(f"{args.out}: {len(samples)} samples, {sum(len(r) for _, r in samples.values())} reads", file=sys.stderr)


def fit_cigar(cigar, read_length):
    """ART now and then writes a CIGAR one base longer than the read (a deletion left out);
    the last M absorbs the difference so the record stays valid."""
    ops = [[int(n), op] for n, op in re.findall(r"(\d+)([MIDNSHP=X])", cigar)]
    diff = read_length - sum(n for n, op in ops if op in "MIS=X")
    if diff:
        last = max(i for i, (_, op) in enumerate(ops) if op == "M")
        ops[last][0] += diff
    return "".join(f"{n}{op}" for n, op in ops)


def merge_cigar(cigar):
    ops = re.findall(r"(\d+)([MIDNSHP=X])", cigar)
    merged = []
    for n, op in ops:
        if merged and merged[-1][1] == op:
            merged[-1][0] += int(n)
        else:
            merged.append([int(n), op])
    return "".join(f"{n}{op}" for n, op in merged)


def cmd_identical(args):
    """Per label pair: reads whose true sequence (the reference span ART drew them from) also
    occurs exactly, on either strand, in a reference of the other label."""
    refs = read_fasta(args.refs)
    by_label = collections.defaultdict(list)
    for name, seq in refs.items():
        by_label[name.split(".")[0]].append(seq)
    both = {lab: [s for seq in seqs for s in (seq, seq.translate(COMPLEMENT)[::-1])]
            for lab, seqs in by_label.items()}
    total = collections.Counter()
    shared = collections.Counter()        # (label, other) -> reads
    ambiguous = collections.Counter()     # label -> reads found in any other label
    for path in args.sam:
        for line in open(path):
            if line.startswith("@"):
                continue
            f = line.split("\t")
            ref, pos = f[2], int(f[3])
            truth = refs[ref][pos - 1:pos - 1 + ref_span(pos, f[5])]
            label = ref.split(".")[0]
            total[label] += 1
            hit = False
            for other, seqs in both.items():
                if other != label and any(truth in s for s in seqs):
                    shared[(label, other)] += 1
                    hit = True
            ambiguous[label] += hit
    result = {"reads": dict(total), "ambiguous": dict(ambiguous),
              "shared": {f"{a}/{b}": n for (a, b), n in sorted(shared.items())}}
    json.dump(result, sys.stdout, indent=2)
    print()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("refs")
    r.add_argument("out")
    b = sub.add_parser("sam-to-bam")
    b.add_argument("--out", required=True)
    b.add_argument("--truth")
    b.add_argument("--prefix", default="S")
    b.add_argument("--sample-size", type=int, default=60)
    b.add_argument("--samples-per-ref", type=int, default=0)
    b.add_argument("sam", nargs="+")
    i = sub.add_parser("identical")
    i.add_argument("--refs", required=True)
    i.add_argument("sam", nargs="+")
    u = sub.add_parser("unseen")
    u.add_argument("out")
    args = p.parse_args()
    {"refs": cmd_refs, "sam-to-bam": cmd_sam_to_bam, "identical": cmd_identical, "unseen": cmd_unseen}[args.cmd](args)


if __name__ == "__main__":
    main()
