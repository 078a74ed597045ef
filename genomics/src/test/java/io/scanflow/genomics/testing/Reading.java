package io.scanflow.genomics.testing;

import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.source.Cursors;
import io.scanflow.genomics.source.GenomicsSplit;
import io.scanflow.genomics.source.ReadOptions;
import io.scanflow.genomics.source.SplitCursor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads splits through cursors, as the source's fetcher does. */
public final class Reading {
    private Reading() {
    }

    public static List<SourceRecord> all(GenomicsSplit split, ReadOptions options) {
        return first(split, options, Integer.MAX_VALUE).records;
    }

    public static List<SourceRecord> all(List<GenomicsSplit> splits, ReadOptions options) {
        List<SourceRecord> out = new ArrayList<>();
        for (GenomicsSplit s : splits) {
            out.addAll(all(s, options));
        }
        return out;
    }

    /** The first {@code n} records and the split as a checkpoint right after them would store it. */
    public static Partial first(GenomicsSplit split, ReadOptions options, int n) {
        List<SourceRecord> out = new ArrayList<>();
        try (SplitCursor cursor = Cursors.open(split, options)) {
            GenomicsSplit at = split;
            while (out.size() < n) {
                SourceRecord r = cursor.next();
                if (r == null) {
                    break;
                }
                out.add(r);
                at = split.at(cursor.position(), cursor.ordinal());
            }
            return new Partial(out, at);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records read, and the split at the position after them. */
    public record Partial(List<SourceRecord> records, GenomicsSplit checkpoint) {
    }

    public static String key(SourceRecord r) {
        return r.isBad() ? "BAD " + r.bad().describe() : r.read().id() + "|" + r.read().sample() + "|" + r.read().bases();
    }
}
