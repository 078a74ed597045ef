package io.scanflow.flink.operator;

import io.scanflow.flink.ScanInput;
import java.util.Arrays;

/**
 * One engine call's worth of work: at most one piece per key, in work-list order. A piece is a slice
 * {@code [from, to)} of a record's tokens or feature rows, or a control piece (neither set) for an end
 * marker, which runs in its key's turn without an engine request. Reused across rounds.
 */
final class Round {
    KeyEntry[] entries = new KeyEntry[16];
    ScanInput[] records = new ScanInput[16];
    long[] timestamps = new long[16];
    int[] to = new int[16];
    int[][] tokens = new int[16][];
    float[][] features = new float[16][];
    int size;
    int requests;

    /** At most one of {@code pieceTokens} and {@code pieceFeatures} is set; neither for a control piece. */
    void add(KeyEntry e, ScanInput record, long timestamp, int end, int[] pieceTokens, float[] pieceFeatures) {
        if (size == entries.length) {
            int n = size * 2;
            entries = Arrays.copyOf(entries, n);
            records = Arrays.copyOf(records, n);
            timestamps = Arrays.copyOf(timestamps, n);
            to = Arrays.copyOf(to, n);
            tokens = Arrays.copyOf(tokens, n);
            features = Arrays.copyOf(features, n);
        }
        entries[size] = e;
        records[size] = record;
        timestamps[size] = timestamp;
        to[size] = end;
        tokens[size] = pieceTokens;
        features[size] = pieceFeatures;
        size++;
        if (pieceTokens != null || pieceFeatures != null) {
            requests++;
        }
    }

    boolean fed(int i) {
        return tokens[i] != null || features[i] != null;
    }

    void clear() {
        Arrays.fill(entries, 0, size, null);
        Arrays.fill(records, 0, size, null);
        Arrays.fill(tokens, 0, size, null);
        Arrays.fill(features, 0, size, null);
        size = 0;
        requests = 0;
    }
}
