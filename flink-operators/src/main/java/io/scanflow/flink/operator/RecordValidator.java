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
    private final boolean acceptsDemand;

    /**
     * @param featureWidth  the model's feature row width; 0 for a token model
     * @param acceptsDemand whether demand records ({@link ScanInput#isDemand}) are valid: generation only
     */
    RecordValidator(int vocab, int featureWidth, boolean acceptsDemand) {
        this.vocab = vocab;
        this.featureWidth = featureWidth;
        this.acceptsDemand = acceptsDemand;
    }

    BadRecord check(String key, ScanInput r) {
        if (acceptsDemand && r.isDemand()) {
            return null;
        }
        int[] tokens = r.tokens();
        float[] features = r.features();
        if (tokens != null && features != null) {
            return new BadRecord(key, "features", "float[" + features.length + "]",
                    "a chunk holds tokens or features, not both", r);
        }
        if (features != null) {
            if (featureWidth == 0) {
                return new BadRecord(key, "features", "float[" + features.length + "]",
                        "this model takes token ids, not feature rows", r);
            }
            if (features.length == 0 || features.length % featureWidth != 0) {
                return new BadRecord(key, "features", "float[" + features.length + "]",
                        "wrong feature width: expected whole rows of " + featureWidth + " floats", r);
            }
            for (int i = 0; i < features.length; i++) {
                if (!Float.isFinite(features[i])) {
                    return new BadRecord(key, "features[" + i + "]", Float.toString(features[i]), "not a finite number", r);
                }
            }
            return null;
        }
        if (tokens != null && featureWidth > 0) {
            return new BadRecord(key, "tokens", "int[" + tokens.length + "]",
                    "this model takes feature rows of " + featureWidth + " floats, not token ids", r);
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
