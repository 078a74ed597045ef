package io.scanflow.genomics.io;

/**
 * What a source does with input it cannot read, in the spirit of htsjdk's validation stringency.
 */
public enum BadRecordPolicy {
    /** Fail the job with the {@link BadInput#describe() description} (htsjdk STRICT). */
    FAIL,
    /** Emit a {@link BadInput} (routed to the side output); other records keep flowing (LENIENT). */
    SIDE_OUTPUT,
    /** Drop it and count it in the reader's metrics (SILENT). */
    SKIP
}
