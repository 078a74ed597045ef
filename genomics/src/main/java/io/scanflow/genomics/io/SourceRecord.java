package io.scanflow.genomics.io;

/**
 * What a genomics source emits: a read, or bad input. Exactly one of the two is set.
 * {@link io.scanflow.genomics.source.BadInputRouter} splits a stream of these into reads and a side
 * output of bad input.
 */
public record SourceRecord(DnaRead read, BadInput bad) {

    public SourceRecord {
        if ((read == null) == (bad == null)) {
            throw new IllegalArgumentException("exactly one of read and bad must be set");
        }
    }

    public static SourceRecord of(DnaRead read) {
        return new SourceRecord(read, null);
    }

    public static SourceRecord of(BadInput bad) {
        return new SourceRecord(null, bad);
    }

    public boolean isBad() {
        return bad != null;
    }
}
