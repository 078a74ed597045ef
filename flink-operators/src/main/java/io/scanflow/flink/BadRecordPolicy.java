package io.scanflow.flink;

/** What the operator does with a record it cannot feed to the model (a stringency, as in htsjdk). */
public enum BadRecordPolicy {
    /** Emit a {@link BadRecord} to {@link ScanOperators#BAD_RECORDS}; other keys and records go on. */
    SIDE_OUTPUT,
    /** Fail the job with the record's {@link BadRecord#describe() description}. */
    FAIL
}
