package io.scanflow.jobs.kafka;

/**
 * One record of an output topic: the key (the stream, read or sample it is about) and a TSV row whose first
 * field names the row's kind, followed by the columns of the TSV file the same row goes to in a folder.
 */
public record OutputRow(String key, String value) {
}
