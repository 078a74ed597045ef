package io.scanflow.flink.operator;

import io.scanflow.flink.BadRecord;
import io.scanflow.flink.ScanInput;

/**
 * Checks a record before it may reach the engine, so one bad record never fails a bundle shared with
 * other keys. Answers null for a good record, else what is wrong: key, field, value and reason.
 */
final class RecordValidator {
    private final int vocab;
    private final int featureWidth;
    private final String backend;

    /**
     * @param featureWidth width of a feature row the model would take (its hidden size)
     * @param backend      the engine's name, for the message on feature chunks
     */
    RecordValidator(int vocab, int featureWidth, String backend) {
        this.vocab = vocab;
        this.featureWidth = featureWidth;
        this.backend = backend;
    }

    BadRecord check(String key, ScanInput r) {
        int[] tokens = r.tokens();
        float[] features = r.features();
        if (tokens != null && features != null) {
            return new BadRecord(key, "features", "float[" + features.length + "]",
                    "a chunk holds tokens or features, not both", r);
        }
        if (features != null) {
            if (features.length == 0 || features.length % featureWidth != 0) {
                return new BadRecord(key, "features", "float[" + features.length + "]",
                        "wrong feature width: expected whole rows of " + featureWidth + " floats", r);
            }
            // The engine interface feeds token ids only; feature rows need an engine with embedding input.
            return new BadRecord(key, "features", "float[" + features.length + "]",
                    "feature chunks need an engine with embedding input; engine '" + backend + "' takes token ids", r);
        }
        if (tokens == null) {
            return r.endOfStream() ? null
                    : new BadRecord(key, "tokens", "null", "a data record needs a chunk (or endOfStream set)", r);
        }
        if (tokens.length == 0) {
            return r.endOfStream() ? null : new BadRecord(key, "tokens", "[]", "empty chunk", r);
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                return new BadRecord(key, "tokens[" + i + "]", Integer.toString(tokens[i]),
                        "outside the vocabulary [0, " + vocab + ")", r);
            }
        }
        return null;
    }
}
