/**
 * Genomics ingestion: htsjdk readers for FASTA (+ .fai), FASTQ and SAM/BAM/CRAM, a DNA tokenizer,
 * and Flink FLIP-27 sources that split inputs (FASTA by region windows, BAM by BGZF virtual
 * offsets) and checkpoint their exact position.
 *
 * <p>Packages, in the direction data flows: {@code io} (formats, readers, records, bad input),
 * {@code tokenizer} (bases to token ids), {@code source} (splits, enumerator, reader, serializers).
 * Nothing here knows about models or operators beyond the vocabulary stored in a model's config.
 */
package io.scanflow.genomics;
