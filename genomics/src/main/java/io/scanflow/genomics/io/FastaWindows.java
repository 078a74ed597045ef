package io.scanflow.genomics.io;

import htsjdk.samtools.reference.FastaSequenceIndex;
import htsjdk.samtools.reference.FastaSequenceIndexEntry;
import io.scanflow.genomics.tokenizer.DnaTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The windows of a FASTA file, numbered across its records in index order: record 0's windows
 * first, then record 1's, and so on. A record no longer than the window is one window. Sources
 * split FASTA by ranges of these numbers and checkpoint the next number.
 */
public final class FastaWindows {
    private final List<String> names = new ArrayList<>();
    private final List<Long> lengths = new ArrayList<>();
    /** first[i] = number of the first window of record i; first[size] = total. */
    private final long[] first;
    private final int window;
    private final int stride;

    /** The windows of the records in {@code index}, {@code window} bases every {@code stride}. */
    public FastaWindows(FastaSequenceIndex index, int window, int stride) {
        for (FastaSequenceIndexEntry e : index) {
            names.add(e.getContig());
            lengths.add(e.getSize());
        }
        this.window = window;
        this.stride = stride;
        this.first = new long[names.size() + 1];
        for (int i = 0; i < names.size(); i++) {
            first[i + 1] = first[i] + count(lengths.get(i), window, stride);
        }
    }

    /** Windows of a record of {@code length} bases (an empty record still counts as one, reported as bad input). */
    public static long count(long length, int window, int stride) {
        return length <= window ? 1 : 1 + (length - window + stride - 1) / stride;
    }

    /** Windows of all records. */
    public long total() {
        return first[names.size()];
    }

    /** The window with this number: its record and [start, end) in bases. */
    public Window locate(long number) {
        if (number < 0 || number >= total()) {
            throw new IndexOutOfBoundsException("window " + number + " of " + total());
        }
        int lo = 0;
        int hi = names.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (first[mid] <= number) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        long k = number - first[lo];
        long length = lengths.get(lo);
        long start = k * stride;
        long end = Math.min(length, start + window);
        return new Window(names.get(lo), length, start, end);
    }

    /**
     * A window: bases [start, end) of a record.
     *
     * @param recordLength the whole record's length
     */
    public record Window(String record, long recordLength, long start, long end) {
        /** The record name if the window is the whole record, else {@code name:start-end} (1-based, inclusive). */
        public String id() {
            return start == 0 && end == recordLength ? record : record + ":" + (start + 1) + "-" + end;
        }
    }

    /** The windows of one record held in memory (for FASTA read in order, e.g. gzipped). */
    public static List<int[]> of(int length, int window, int stride) {
        return DnaTokenizer.windows(length, window, stride);
    }
}
