package io.scanflow.model.io;

/**
 * Input that could not be read, and why: which file, which record, which field, and how many records
 * it cost. Plain data; the source sends it to the side output (or fails, or drops it) by its
 * {@link BadRecordPolicy}.
 *
 * @param file        the input's file name
 * @param record      the record's name where known, else its place ({@code #17}, {@code after read X},
 *                    {@code header})
 * @param field       the offending field: {@code SEQ}, {@code sequence}, {@code magic}, {@code BGZF block}, ...
 * @param problem     what was expected and what was found
 * @param recordsLost records that did not come out because of it: 1 for a bad record, an estimate for a
 *                    damaged block that reading skipped, or {@link #UNKNOWN} where the rest of the file is not read
 * @param estimated   whether {@code recordsLost} is an estimate
 */
public record BadInput(String file, String record, String field, String problem, long recordsLost, boolean estimated) {
    /** Records lost: not known (the rest of the file or split was not read). */
    public static final long UNKNOWN = -1;

    /** One bad record: it costs that record. */
    public BadInput(String file, String record, String field, String problem) {
        this(file, record, field, problem, 1, false);
    }

    /** The same problem, costing {@code records} (or {@link #UNKNOWN}). */
    public BadInput lost(long records, boolean estimate) {
        return new BadInput(file, record, field, problem, records, estimate);
    }

    /** {@code 1}, {@code ~236} (an estimate) or {@code unknown}: the {@code records_lost} column of bad-input.tsv. */
    public String lostText() {
        return recordsLost == UNKNOWN ? "unknown" : (estimated ? "~" : "") + recordsLost;
    }

    /** One line: {@code file: record 'r': field 'f': problem}. */
    public String describe() {
        return file + ": record '" + record + "': field '" + field + "': " + problem;
    }
}
