package io.scanflow.flink;

import java.io.Serializable;

/** Embedding mode: one {@link Embedding} per chunk, pooled as chosen. */
public final class Embed implements Serializable {
    private static final long serialVersionUID = 1L;

    private final boolean mean;

    private Embed(boolean mean) {
        this.mean = mean;
    }

    /** The final hidden state at the chunk's last token. */
    public static Embed lastToken() {
        return new Embed(false);
    }

    /** The mean of the final hidden states over the chunk's tokens. */
    public static Embed meanPooled() {
        return new Embed(true);
    }

    /** True for the chunk's mean hidden state, false for its last token's. */
    public boolean mean() {
        return mean;
    }
}
