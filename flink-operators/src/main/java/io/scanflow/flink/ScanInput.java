package io.scanflow.flink;

/**
 * One input record of a keyed model stream: the next chunk of one key's sequence.
 *
 * <p>A chunk is either token ids ({@code tokens}) or feature rows ({@code features}, row-major
 * [rows, featureWidth]); exactly one of them is set on a data record. A record with
 * {@code endOfStream} ends the key's stream after its chunk (if any): the key's model state is
 * dropped and the next record for the key starts a fresh stream. An end record may carry no chunk.
 *
 * <p>A demand record ({@link #demand}, an empty token chunk that does not end the stream) carries no
 * input: it asks the key's generation session for its next round ({@code Generate.onDemand()}). Other
 * operators reject it as an empty chunk.
 *
 * @param key         the stream's key (the job keys the stream by it)
 * @param tokens      token ids in {@code [0, vocab)}, or null
 * @param features    feature rows, or null
 * @param endOfStream whether this record ends the key's stream
 * @param eventTime   the chunk's event time in epoch milliseconds, copied to the outputs it causes
 */
public record ScanInput(String key, int[] tokens, float[] features, boolean endOfStream, long eventTime) {

    /** A token chunk. */
    public static ScanInput tokens(String key, long eventTime, int... tokens) {
        return new ScanInput(key, tokens, null, false, eventTime);
    }

    /** The last token chunk of a stream. */
    public static ScanInput lastTokens(String key, long eventTime, int... tokens) {
        return new ScanInput(key, tokens, null, true, eventTime);
    }

    /** An end-of-stream marker without a chunk. */
    public static ScanInput end(String key, long eventTime) {
        return new ScanInput(key, null, null, true, eventTime);
    }

    /** Asks the key's running generation session for one more round of tokens (see {@code Generate.onDemand()}). */
    public static ScanInput demand(String key, long eventTime) {
        return new ScanInput(key, new int[0], null, false, eventTime);
    }

    /** Whether this is a demand record: an empty token chunk that does not end the stream. */
    public boolean isDemand() {
        return tokens != null && tokens.length == 0 && features == null && !endOfStream;
    }

    /** Tokens in the chunk (0 for an end marker or a feature chunk). */
    public int length() {
        return tokens == null ? 0 : tokens.length;
    }

    /** Positions in the chunk: its tokens, or its feature rows of {@code featureWidth} floats. */
    public int rows(int featureWidth) {
        if (tokens != null) {
            return tokens.length;
        }
        return features == null || featureWidth == 0 ? 0 : features.length / featureWidth;
    }
}
