/**
 * The DNA read classification job ({@code scanflow dna-classify}): reads from BAM, SAM, CRAM,
 * FASTQ or FASTA through the genomics source, keyed by read through the keyed model operator
 * (mean-pooled embedding), a classification head per read, then keyed by sample for a majority vote.
 * The client collects the results and writes {@code predictions.tsv}, {@code samples.tsv},
 * {@code report.md} and {@code confusion.png}.
 */
package io.scanflow.jobs.dna;
