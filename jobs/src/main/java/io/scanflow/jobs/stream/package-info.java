/**
 * The pieces of ScanFlow's generic streaming jobs ({@code scanflow stream-classify},
 * {@code scanflow stream-generate}): a replayable source over a token file, the output lines, and
 * exactly-once output files. Commands in {@code io.scanflow.jobs.cli} wire them around the keyed model
 * operators of {@code io.scanflow.flink}; jobs over audio or DNA reuse {@link OutputLines} and
 * {@link OutputFiles} behind their own sources.
 */
package io.scanflow.jobs.stream;
