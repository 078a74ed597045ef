package io.scanflow.genomics.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared genomics fixtures (made by scripts/make-ape-data.sh) and the shipped model. */
public final class TestData {
    private TestData() {
    }

    public static Path root() {
        String prop = System.getProperty("scanflow.testdata");
        Path p = prop != null ? Path.of(prop) : Path.of("../testdata");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("test data folder not found: " + p.toAbsolutePath());
        }
        return p;
    }

    public static Path genomics(String name) {
        return root().resolve("genomics").resolve(name);
    }

    public static Path demoBam() {
        return genomics("ape-demo.bam");
    }

    public static Path references() {
        return genomics("apes-mtdna.fa");
    }

    /** The shipped DNA classifier (models/dna-apes at the repository root). */
    public static Path shippedModel() {
        return root().toAbsolutePath().getParent().resolve("models").resolve("dna-apes");
    }
}
