package io.scanflow.genomics.source;

import io.scanflow.genomics.io.DnaRead;
import io.scanflow.genomics.io.InputRole;
import io.scanflow.genomics.io.SourceRecord;
import java.io.IOException;

/**
 * A file's reads with the sample a sample sheet gives it, and, for one file of a pair, the mate
 * suffix ({@code /1}, {@code /2}) that pairs each read with its mate in the other file.
 */
final class RoleCursor implements SplitCursor {
    private final SplitCursor inner;
    private final InputRole role;

    RoleCursor(SplitCursor inner, InputRole role) {
        this.inner = inner;
        this.role = role;
    }

    @Override
    public SourceRecord next() throws IOException {
        SourceRecord r = inner.next();
        if (r == null || r.isBad()) {
            return r;
        }
        DnaRead read = r.read();
        return SourceRecord.of(new DnaRead(read.file(), mateId(read.id()), role.sample(), read.bases(), read.ordinal()));
    }

    /** The id with this file's mate suffix, replacing one the read names carry already. */
    private String mateId(String id) {
        if (role.mate() == 0) {
            return id;
        }
        String base = id.endsWith("/1") || id.endsWith("/2") ? id.substring(0, id.length() - 2) : id;
        return base + "/" + role.mate();
    }

    @Override
    public long position() {
        return inner.position();
    }

    @Override
    public long ordinal() {
        return inner.ordinal();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
