package io.scanflow.genomics.io;

import io.scanflow.model.io.BadInput;

/**
 * What a genomics source emits: a read, or bad input. Exactly one of the two is set.
 * {@link io.scanflow.genomics.source.BadInputRouter} splits a stream of these into reads and a side
 * output of bad input.
 */
public record SourceRecord(DnaRead read, BadInput bad) {

    /** Checks that exactly one of the two is set. */
    public SourceRecord {
        if ((read == null) == (bad == null)) {
            throw new IllegalArgumentException("exactly one of read and bad must be set");
        }
    }

    /** A record holding a read. */
    public static SourceRecord of(DnaRead read) {
        return new SourceRecord(read, null);
    }

    /** A record holding bad input. */
    public static SourceRecord of(BadInput bad) {
        return new SourceRecord(null, bad);
    }

    /** Whether this is bad input. */
    public boolean isBad() {
        return bad != null;
    }
}
