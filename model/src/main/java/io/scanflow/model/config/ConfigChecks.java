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

    /** The most elements a Java array (one weight tensor, one state vector) can hold. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** A size derived from others ({@code expand x d_model}): it must fit the int every dimension is. */
    static int derived(String what, double value) {
        if (!(value <= Integer.MAX_VALUE)) {
            throw new IllegalArgumentException(what + " is " + String.format(java.util.Locale.ROOT, "%.0f", value)
                    + ", more than the largest dimension, " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    /**
     * A weight tensor of shape {@code rows x columns} must fit one Java array: larger sizes would be
     * clamped or wrap to negative numbers deep inside the loader.
     */
    static void fitsArray(String tensor, long rows, long columns) {
        double elements = (double) rows * columns;
        if (elements > MAX_ARRAY) {
            throw new IllegalArgumentException(tensor + " would be [" + rows + ", " + columns + "] = "
                    + String.format(java.util.Locale.ROOT, "%.3g", elements) + " floats, more than one Java array holds ("
                    + MAX_ARRAY + ")");
        }
    }

    static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, found " + value);
        }
    }
}
