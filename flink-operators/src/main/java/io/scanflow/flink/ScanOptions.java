package io.scanflow.flink;

import io.scanflow.model.io.BadRecordPolicy;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings every keyed model operator shares: bundling, state expiry, the bad-record policy and how
 * many keys keep a live engine slot. Immutable; change a copy with the {@code with} methods.
 */
public final class ScanOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int bundleSize;
    private final long bundleTimeoutMillis;
    private final long stateTtlMillis;
    private final BadRecordPolicy badRecords;
    private final int maxCachedKeys;

    private ScanOptions(int bundleSize, long bundleTimeoutMillis, long stateTtlMillis, BadRecordPolicy badRecords,
                        int maxCachedKeys) {
        if (bundleSize < 1) {
            throw new IllegalArgumentException("bundle size must be positive, found " + bundleSize);
        }
        if (bundleTimeoutMillis < 0 || stateTtlMillis < 0) {
            throw new IllegalArgumentException("bundle timeout and state TTL must not be negative");
        }
        if (maxCachedKeys < 1) {
            throw new IllegalArgumentException("max cached keys must be positive, found " + maxCachedKeys);
        }
        this.bundleSize = bundleSize;
        this.bundleTimeoutMillis = bundleTimeoutMillis;
        this.stateTtlMillis = stateTtlMillis;
        this.badRecords = Objects.requireNonNull(badRecords);
        this.maxCachedKeys = maxCachedKeys;
    }

    /** Bundles of 64 records or 10 ms, no state expiry, bad records to the side output, 10,000 live keys. */
    public static ScanOptions defaults() {
        return new ScanOptions(64, 10, 0, BadRecordPolicy.SIDE_OUTPUT, 10_000);
    }

    /** A bundle runs once it holds this many records. */
    public ScanOptions withBundleSize(int records) {
        return new ScanOptions(records, bundleTimeoutMillis, stateTtlMillis, badRecords, maxCachedKeys);
    }

    /** A bundle runs at the latest this long (processing time) after its first record arrived. */
    public ScanOptions withBundleTimeout(Duration timeout) {
        return new ScanOptions(bundleSize, timeout.toMillis(), stateTtlMillis, badRecords, maxCachedKeys);
    }

    /** Keys idle for this long lose their state (Flink state TTL); {@link Duration#ZERO} keeps state forever. */
    public ScanOptions withStateTtl(Duration ttl) {
        return new ScanOptions(bundleSize, bundleTimeoutMillis, ttl.toMillis(), badRecords, maxCachedKeys);
    }

    /** What happens to a record the model cannot take: side output (default) or fail. */
    public ScanOptions withBadRecords(BadRecordPolicy policy) {
        return new ScanOptions(bundleSize, bundleTimeoutMillis, stateTtlMillis, policy, maxCachedKeys);
    }

    /**
     * Keys whose model state stays in an engine slot between bundles; beyond it the least recently
     * used idle key is written back to keyed state and its slot freed.
     */
    public ScanOptions withMaxCachedKeys(int keys) {
        return new ScanOptions(bundleSize, bundleTimeoutMillis, stateTtlMillis, badRecords, keys);
    }

    /** Records per bundle. */
    public int bundleSize() {
        return bundleSize;
    }

    /** Longest wait of a bundle's first record, in milliseconds. */
    public long bundleTimeoutMillis() {
        return bundleTimeoutMillis;
    }

    /** 0 when state never expires. */
    public long stateTtlMillis() {
        return stateTtlMillis;
    }

    /** The bad-record policy. */
    public BadRecordPolicy badRecords() {
        return badRecords;
    }

    /** Most keys held live (in engine slots) per subtask. */
    public int maxCachedKeys() {
        return maxCachedKeys;
    }
}
