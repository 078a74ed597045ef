package io.scanflow.audio;

import java.nio.file.Path;

/** Where the shared fixtures and the shipped models live (the repository root's testdata/ and models/). */
public final class TestPaths {
    private TestPaths() {}

    public static Path testdata() {
        return Path.of(System.getProperty("scanflow.testdata", "../testdata"));
    }

    public static Path models() {
        return testdata().resolveSibling("models");
    }

    public static Path demoDigits() {
        return testdata().resolve("audio/digits");
    }

    /** Clips of a synthesizer no shipped model was trained on (festival), clean and noisy, with labels.tsv. */
    public static Path heldOutFestival() {
        return testdata().resolve("audio/heldout-festival");
    }

    public static Path demoLabels() {
        return testdata().resolve("audio/digits-labels.tsv");
    }
}
