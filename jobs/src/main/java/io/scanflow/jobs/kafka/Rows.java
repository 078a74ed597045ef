package io.scanflow.jobs.kafka;

/** Output topic values: a TSV file's row, without its newline, after a field naming the row's kind. */
final class Rows {
    private Rows() {
    }

    static String of(String kind, String tsvRow) {
        return kind + "\t" + tsvRow.substring(0, tsvRow.length() - 1);
    }
}
