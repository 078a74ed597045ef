package io.scanflow.jobs.stream;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Outputs counted in this JVM, per run: with embedded Flink the tasks run in the command's own JVM,
 * so its progress bar reads them here, live. On a cluster the counts live in TaskManagers and reach
 * the client through accumulators instead.
 */
public final class Progress {
    private static final ConcurrentHashMap<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();

    private Progress() {}

    public static AtomicLong counter(String run) {
        return COUNTS.computeIfAbsent(run, r -> new AtomicLong());
    }

    public static long get(String run) {
        AtomicLong n = COUNTS.get(run);
        return n == null ? 0 : n.get();
    }

    public static void forget(String run) {
        COUNTS.remove(run);
    }
}
