package io.scanflow.flink.operator;

import io.scanflow.flink.ScanInput;
import java.util.Arrays;

/**
 * The records of the bundle being collected, in arrival order, with their keys and stream record
 * timestamps. Reused across bundles; it grows to the largest bundle and no further.
 */
final class BundleBuffer {
    /** Timestamp of a record that had none. */
    static final long NO_TIMESTAMP = Long.MIN_VALUE;

    private String[] keys;
    private ScanInput[] records;
    private long[] timestamps;
    private int size;
    private long firstArrival;

    BundleBuffer(int expectedSize) {
        keys = new String[expectedSize];
        records = new ScanInput[expectedSize];
        timestamps = new long[expectedSize];
    }

    void add(String key, ScanInput record, long timestamp, long now) {
        if (size == records.length) {
            int n = Math.max(8, size * 2);
            keys = Arrays.copyOf(keys, n);
            records = Arrays.copyOf(records, n);
            timestamps = Arrays.copyOf(timestamps, n);
        }
        if (size == 0) {
            firstArrival = now;
        }
        keys[size] = key;
        records[size] = record;
        timestamps[size] = timestamp;
        size++;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Processing time the oldest record arrived. */
    long firstArrival() {
        return firstArrival;
    }

    String key(int i) {
        return keys[i];
    }

    ScanInput record(int i) {
        return records[i];
    }

    long timestamp(int i) {
        return timestamps[i];
    }

    void clear() {
        // Drop references so flushed records can be collected.
        Arrays.fill(keys, 0, size, null);
        Arrays.fill(records, 0, size, null);
        size = 0;
    }
}
