package io.scanflow.flink;

import io.scanflow.model.io.BadRecordPolicy;

/**
 * A bad record under {@link BadRecordPolicy#FAIL}: its own type, so a command can tell this failure
 * (the input's fault, reported as such) from a job that failed for another reason.
 */
public final class BadRecordException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The exception for {@code bad}, with its text as the message. */
    public BadRecordException(BadRecord bad) {
        super(bad.describe());
    }
}
