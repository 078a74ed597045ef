package io.scanflow.genomics.io;

/**
 * Input that could not be read, and why: which file, which record, which field. Plain data; the
 * source sends it to the side output (or fails, or drops it) by its {@link BadRecordPolicy}.
 *
 * @param file    the input's file name
 * @param record  the record's name where known, else its place ({@code #17}, {@code after read X},
 *                {@code header})
 * @param field   the offending field: {@code SEQ}, {@code sequence}, {@code magic}, {@code BGZF block}, ...
 * @param problem what was expected and what was found
 */
public record BadInput(String file, String record, String field, String problem) {

    /** One line: {@code file: record 'r': field 'f': problem}. */
    public String describe() {
        return file + ": record '" + record + "': field '" + field + "': " + problem;
    }
}
