package io.scanflow.genomics.io;

/** Bad input under {@link BadRecordPolicy#FAIL}: the message names the file, record and field. */
public final class GenomicsFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient BadInput bad;

    /** An exception carrying {@code bad}, with its text as the message. */
    public GenomicsFormatException(BadInput bad) {
        super(bad.describe());
        this.bad = bad;
    }

    /** The bad input: file, record and field. */
    public BadInput bad() {
        return bad;
    }
}
