package io.scanflow.model.config;

final class ConfigChecks {
    private ConfigChecks() {}

    /** Token input needs a vocabulary; a feature-input model may have none (no LM head). */
    static void inputs(int vocabSize, int inputFeatures) {
        if (inputFeatures < 0) {
            throw new IllegalArgumentException("input_features must be >= 0, found " + inputFeatures);
        }
        if (inputFeatures == 0) {
            positive("vocab_size", vocabSize);
        } else if (vocabSize < 0) {
            throw new IllegalArgumentException("vocab_size must be >= 0, found " + vocabSize);
        }
    }

    static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, found " + value);
        }
    }
}
