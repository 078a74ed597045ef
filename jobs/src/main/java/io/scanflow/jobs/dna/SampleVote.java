package io.scanflow.jobs.dna;

/**
 * A sample's majority vote over its reads.
 *
 * @param votes labels with their read counts, most votes first: {@code human:48,chimpanzee:2}
 */
public record SampleVote(String sample, long reads, String predicted, String votes) {
}
