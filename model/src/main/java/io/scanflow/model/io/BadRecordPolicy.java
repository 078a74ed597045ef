package io.scanflow.model.io;

/**
 * What a stage does with input it cannot use, in the spirit of htsjdk's validation stringency. One
 * policy for every stage that meets bad input: the genomics and audio sources (a record or file they
 * cannot read, described by {@link BadInput}) and the keyed model operator (a record the model cannot
 * take). Here rather than in a Flink module because the sources and the operator depend on nothing else
 * in common.
 */
public enum BadRecordPolicy {
    /** Fail the job with a one-line description of the input (htsjdk STRICT). */
    FAIL,
    /** Send it to the stage's side output, described; other records and keys keep flowing (LENIENT). */
    SIDE_OUTPUT,
    /** Drop it and count it in the stage's {@code badRecords} metric (SILENT). */
    SKIP
}
