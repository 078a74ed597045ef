package io.scanflow.flink.operator;

import io.scanflow.flink.ScanInput;
import java.util.Arrays;

/**
 * One engine call's worth of work: at most one piece per key, in work-list order. A piece is a slice
 * {@code [from, to)} of a record's tokens, or a control piece ({@code tokens == null}) for an end
 * marker, which runs in its key's turn without an engine request. Reused across rounds.
 */
final class Round {
    KeyEntry[] entries = new KeyEntry[16];
    ScanInput[] records = new ScanInput[16];
    long[] timestamps = new long[16];
    int[] to = new int[16];
    int[][] tokens = new int[16][];
    int size;
    int requests;

    void add(KeyEntry e, ScanInput record, long timestamp, int end, int[] pieceTokens) {
        if (size == entries.length) {
            int n = size * 2;
            entries = Arrays.copyOf(entries, n);
            records = Arrays.copyOf(records, n);
            timestamps = Arrays.copyOf(timestamps, n);
            to = Arrays.copyOf(to, n);
            tokens = Arrays.copyOf(tokens, n);
        }
        entries[size] = e;
        records[size] = record;
        timestamps[size] = timestamp;
        to[size] = end;
        tokens[size] = pieceTokens;
        size++;
        if (pieceTokens != null) {
            requests++;
        }
    }

    void clear() {
        Arrays.fill(entries, 0, size, null);
        Arrays.fill(records, 0, size, null);
        Arrays.fill(tokens, 0, size, null);
        size = 0;
        requests = 0;
    }
}
