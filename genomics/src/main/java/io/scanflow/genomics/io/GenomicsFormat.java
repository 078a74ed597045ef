package io.scanflow.genomics.io;

import java.nio.file.Path;
import java.util.Locale;

/** Input formats, told apart by content ({@link FormatSniffer}), else by file name. */
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
     * The format of the file's content; where the content is none of them (or cannot be read, or the
     * file is empty), the format its name says, so the reader reports what is wrong with it.
     *
     * @throws IllegalArgumentException naming the file, when neither content nor name tells
     */
    public static GenomicsFormat of(Path file) {
        try {
            java.util.Optional<GenomicsFormat> sniffed = FormatSniffer.sniff(file);
            if (sniffed.isPresent()) {
                return sniffed.get();
            }
        } catch (java.io.IOException | RuntimeException e) {
            // unreadable: by name; the reader reports why
        }
        return byName(file);
    }

    /**
     * @throws IllegalArgumentException naming the file and the suffixes known
     */
    public static GenomicsFormat byName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (GenomicsFormat f : values()) {
            for (String s : f.suffixes) {
                if (name.endsWith(s)) {
                    return f;
                }
            }
        }
        throw new IllegalArgumentException(file + ": unknown input format (expected BAM, CRAM, SAM, FASTQ or FASTA content,"
                + " or a name ending in .bam, .sam, .cram, .fastq, .fq, .fasta, .fa or .fna, optionally .gz for FASTA and FASTQ)");
    }

    /** The usual file name ending for this format's content ({@code gzipped}: FASTA and FASTQ). */
    public String extension(boolean gzipped) {
        String plain = this == FASTQ ? ".fastq" : suffixes[0];
        return gzipped && (this == FASTA || this == FASTQ) ? plain + ".gz" : plain;
    }

    /** Whether a source can cut one file into several splits. */
    public boolean splittable() {
        return this == BAM || this == FASTA;
    }
}
