package io.scanflow.genomics.io;

import java.nio.file.Path;
import java.util.Locale;

/** Input formats, told apart by file name (as htsjdk and samtools do). */
public enum GenomicsFormat {
    /** FASTA, plain or gzipped. */
    FASTA(".fa", ".fasta", ".fna", ".fas", ".fa.gz", ".fasta.gz", ".fna.gz"),
    /** FASTQ, plain or gzipped. */
    FASTQ(".fq", ".fastq", ".fq.gz", ".fastq.gz"),
    /** SAM text. */
    SAM(".sam"),
    /** BAM (BGZF-compressed SAM). */
    BAM(".bam"),
    /** CRAM (reference-compressed). */
    CRAM(".cram");

    private final String[] suffixes;

    GenomicsFormat(String... suffixes) {
        this.suffixes = suffixes;
    }

    /**
     * @throws IllegalArgumentException naming the file and the suffixes known
     */
    public static GenomicsFormat of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (GenomicsFormat f : values()) {
            for (String s : f.suffixes) {
                if (name.endsWith(s)) {
                    return f;
                }
            }
        }
        throw new IllegalArgumentException(file + ": unknown input format (expected a name ending in .bam, .sam, "
                + ".cram, .fastq, .fq, .fasta, .fa or .fna, optionally .gz for FASTA and FASTQ)");
    }

    /** Whether a source can cut one file into several splits. */
    public boolean splittable() {
        return this == BAM || this == FASTA;
    }
}
