package io.scanflow.flink;

/**
 * The trained head's call for one record.
 *
 * @param key           the stream's key
 * @param position      tokens (or feature rows) the key's stream has consumed, this record's included
 * @param label         the most probable label's name
 * @param labelIndex    its index in the head's labels
 * @param probability   its softmax probability
 * @param probabilities every label's probability, in the head's label order
 * @param eventTime     the record's event time
 */
public record HeadPrediction(String key, long position, String label, int labelIndex, float probability,
                             float[] probabilities, long eventTime) {}
