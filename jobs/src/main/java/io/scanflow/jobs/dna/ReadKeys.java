package io.scanflow.jobs.dna;

/**
 * The stream key of a read: file, sample and read id joined by tabs (no format allows a tab in a
 * name), so a prediction carries its sample and id back without a join.
 */
final class ReadKeys {
    private ReadKeys() {
    }

    static String of(String file, String sample, String readId) {
        return file + '\t' + sample + '\t' + readId;
    }

    static String sample(String key) {
        return key.split("\t", 3)[1];
    }

    static String readId(String key) {
        return key.split("\t", 3)[2];
    }
}
