package io.scanflow.flink;

/**
 * A classification of one key's stream at one position: the most likely next token and its
 * probability under the model (softmax of the logits at that position).
 *
 * @param key         the stream's key
 * @param position    tokens of the stream consumed when the prediction was taken
 * @param label       index of the largest logit (lowest index on ties)
 * @param probability softmax probability of {@code label}
 * @param logits      the full logits row, or null unless requested
 * @param eventTime   event time of the record that completed the prediction
 * @param trigger     what caused the prediction
 */
public record Prediction(String key, long position, int label, float probability, float[] logits,
                         long eventTime, Trigger trigger) {

    /** Why a prediction was emitted. */
    public enum Trigger {
        /** The end of an input chunk. */
        CHUNK,
        /** The end of a window of a fixed number of tokens. */
        WINDOW,
        /** The end of the key's stream. */
        END_OF_STREAM
    }
}
