package io.scanflow.jobs.stream;

import io.scanflow.model.io.BadInput;

/**
 * The one table shape of bad input, whatever the source: {@code bad-input.tsv} of dna-classify and
 * {@code errors.tsv} of audio-classify both have these columns, and so do their rows on output topics.
 */
public final class BadInputRows {
    /** The header line, with its newline. */
    public static final String HEADER = "file\trecord\tfield\tproblem\trecords_lost\n";

    private BadInputRows() {
    }

    /** A row (with its newline). */
    public static String row(BadInput b) {
        return Tsv.row(b.file(), b.record(), b.field(), b.problem(), b.lostText());
    }

    /**
     * One line carrying {@code b} from a job to its client: {@code tag}, then every field of {@code b},
     * tab-separated and escaped; {@link #fromFields} reads it back.
     */
    public static String line(String tag, BadInput b) {
        return Tsv.join(tag, b.file(), b.record(), b.field(), b.problem(), b.recordsLost(), b.estimated());
    }

    /** The bad input of a {@link #line}, from its fields (split and unescaped) after the tag at {@code f[0]}. */
    public static BadInput fromFields(String[] f) {
        return new BadInput(f[1], f[2], f[3], f[4], Long.parseLong(f[5]), Boolean.parseBoolean(f[6]));
    }
}
