package io.scanflow.kernels;

import io.scanflow.model.SequenceModel;

/** What an engine call returns for each request. */
public enum Output {
    /** Only advance the state. */
    NONE,
    /** Logits at every position, [length, vocab]. */
    ALL_LOGITS,
    /** Logits at the last position, [vocab]: what generation and classification need. */
    LAST_LOGITS,
    /** Final hidden state (after the last norm) at the last position, [hidden]. */
    LAST_HIDDEN,
    /** Mean of the final hidden states over the request's positions, [hidden]: a pooled embedding. */
    MEAN_HIDDEN;

    /** Floats per row of output. */
    public int width(SequenceModel model) {
        switch (this) {
            case NONE:
                return 0;
            case ALL_LOGITS:
            case LAST_LOGITS:
                return model.vocabSize();
            default:
                return model.hiddenSize();
        }
    }

    /** Rows of output for a request of {@code length} tokens. */
    public int rows(int length) {
        return this == NONE ? 0 : this == ALL_LOGITS ? length : 1;
    }
}
