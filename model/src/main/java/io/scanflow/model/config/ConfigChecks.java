package io.scanflow.model.config;

final class ConfigChecks {
    private ConfigChecks() {}

    static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, found " + value);
        }
    }
}
