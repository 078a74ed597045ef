package io.scanflow.jobs.dna;

import io.scanflow.flink.HeadPrediction;

/**
 * One read's classification.
 *
 * @param readId      the read's name (or FASTA window id)
 * @param sample      its read group's sample, or the file name where there is none
 * @param predicted   the most probable label
 * @param probability that label's softmax probability
 * @param bases       the read's length
 */
public record ReadPrediction(String readId, String sample, String predicted, float probability, int bases) {
    /** The head's call for a read's stream (key: {@link ReadKeys}; one record per read, so position = bases). */
    static ReadPrediction of(HeadPrediction p) {
        return new ReadPrediction(ReadKeys.readId(p.key()), ReadKeys.sample(p.key()), p.label(), p.probability(),
                (int) p.position());
    }
}
