package io.scanflow.genomics.io;

/**
 * One sequence to classify: a read (FASTQ, SAM/BAM/CRAM, or a short FASTA record) or a window of a
 * longer FASTA record. Plain data.
 *
 * @param file    the input's file name (no directory)
 * @param id      read name; for a window of a longer FASTA record {@code contig:start-end} (1-based, inclusive)
 * @param sample  the read group's sample (SM, else the read group id) or, with no read group, the file name
 * @param bases   bases in sequencing orientation (reverse-strand SAM/BAM/CRAM records are reverse
 *                complemented back); lower case kept (soft-masked)
 * @param ordinal 0-based index of the record in its split's reading order
 */
public record DnaRead(String file, String id, String sample, String bases, long ordinal) {
}
