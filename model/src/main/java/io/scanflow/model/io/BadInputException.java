package io.scanflow.model.io;

/**
 * Bad input under {@link BadRecordPolicy#FAIL}, from any source (genomics or audio): the message names
 * the file, record and field.
 */
public final class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient BadInput bad;

    /** An exception carrying {@code bad}, with its text as the message. */
    public BadInputException(BadInput bad) {
        super(bad.describe());
        this.bad = bad;
    }

    /** The bad input: file, record and field. */
    public BadInput bad() {
        return bad;
    }
}
