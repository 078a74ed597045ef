package io.scanflow.flink;

import java.io.Serializable;

/** Classification mode: when a {@link Prediction} is emitted, and whether it carries the logits. */
public final class Classify implements Serializable {
    private static final long serialVersionUID = 1L;

    /** When predictions are emitted. */
    public enum Emit {
        /** A prediction at the end of every chunk. */
        CHUNK,
        /** A prediction at every n-th token of the stream. */
        WINDOW,
        /** One prediction when the stream's end record comes. */
        END_OF_STREAM
    }

    private final Emit emit;
    private final int windowTokens;
    private final boolean logits;

    private Classify(Emit emit, int windowTokens, boolean logits) {
        this.emit = emit;
        this.windowTokens = windowTokens;
        this.logits = logits;
    }

    /** One prediction at the end of every chunk. */
    public static Classify perChunk() {
        return new Classify(Emit.CHUNK, 0, false);
    }

    /** One prediction at every {@code tokens}-th token of the stream (chunks are split at window ends). */
    public static Classify perWindow(int tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("window must be at least one token, found " + tokens);
        }
        return new Classify(Emit.WINDOW, tokens, false);
    }

    /** One prediction when the key's stream ends (at its last token). */
    public static Classify atEndOfStream() {
        return new Classify(Emit.END_OF_STREAM, 0, false);
    }

    /** Predictions also carry the full logits row. */
    public Classify withLogits() {
        return new Classify(emit, windowTokens, true);
    }

    /** When predictions are emitted. */
    public Emit emit() {
        return emit;
    }

    /** Tokens per window ({@link Emit#WINDOW}); 0 otherwise. */
    public int windowTokens() {
        return windowTokens;
    }

    /** Whether each prediction carries its logits row. */
    public boolean logits() {
        return logits;
    }
}
