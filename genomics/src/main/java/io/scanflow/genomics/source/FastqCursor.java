package io.scanflow.genomics.source;

import io.scanflow.genomics.io.Readers;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.model.io.BadInput;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads a whole FASTQ file (plain or gzipped, told by its content) four lines a
 * record; the position counts records, and a restore skips that many.
 *
 * <p>ScanFlow frames the records itself rather than using htsjdk's {@code FastqReader}, which
 * reads one record ahead and rejects the whole file at a record with an empty sequence line: here
 * such a record is one bad record and the next ones flow. A record whose framing is broken (no
 * '@' header, no '+' line, a missing line) ends the file, since the next record cannot be found
 * reliably (quality lines may start with '@'). A gzipped file that is truncated or corrupt keeps the
 * reads before the damage and reports it as one bad record.
 */
final class FastqCursor implements SplitCursor {
    private final String file;
    private final EndAtDamage source;
    private final BufferedReader in;
    private long position;
    private long ordinal;
    private boolean failed;

    FastqCursor(GenomicsSplit split) throws IOException {
        this.file = Cursors.fileName(split);
        this.ordinal = split.ordinal();
        this.source = new EndAtDamage(Readers.openMaybeGzipped(Path.of(split.path())));
        this.in = new BufferedReader(new InputStreamReader(source, StandardCharsets.ISO_8859_1));
        for (long i = 0; i < split.position(); i++) {
            for (int line = 0; line < 4; line++) {
                in.readLine();
            }
            position++;
        }
    }

    @Override
    public SourceRecord next() throws IOException {
        if (failed) {
            return null;
        }
        String header = in.readLine();
        while (header != null && header.isEmpty()) {
            header = in.readLine(); // blank lines between records (e.g. at the end of the file)
        }
        if (header == null) {
            if (source.damage() == null) {
                return null;
            }
            ordinal++;
            return damaged("#" + (position + 1), position);
        }
        String seq = in.readLine();
        String plus = in.readLine();
        String qual = in.readLine();
        position++;
        ordinal++;
        String where = "#" + position;
        if (!header.startsWith("@")) {
            return fail(where, "header", "expected a line starting with '@', found " + quote(header));
        }
        String id = header.substring(1).split("[ \t]", 2)[0];
        if (seq == null || plus == null || qual == null) {
            return source.damage() == null ? fail(id, "record", "expected 4 lines, found the file's end")
                    : damaged(id, position - 1);
        }
        if (!plus.startsWith("+")) {
            return fail(id, "separator", "expected a line starting with '+', found " + quote(plus));
        }
        SourceRecord r = Cursors.readOrBad(file, id, file, seq, ordinal - 1, "sequence");
        if (!r.isBad() && qual.length() != seq.length()) {
            return SourceRecord.of(new BadInput(file, id, "quality", "expected " + seq.length()
                    + " quality characters (one per base), found " + qual.length()));
        }
        return r;
    }

    /** The damage in a gzipped file, found while reading {@code record} after {@code complete} whole records. */
    private SourceRecord damaged(String record, long complete) {
        IOException e = source.damage();
        return fail(record, "data", "the compressed data ends early or is corrupt after " + complete + " complete records ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
    }

    private SourceRecord fail(String record, String field, String problem) {
        failed = true;
        return SourceRecord.of(new BadInput(file, record, field, problem + "; the rest of the file is not read")
                .lost(BadInput.UNKNOWN, false));
    }

    private static String quote(String s) {
        return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long ordinal() {
        return ordinal;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
