package io.scanflow.flink.faults;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failures a test arms for one run: each armed site throws once, at its n-th event after arming
 * (a record passing a point, an engine call, a sink write, a commit, a snapshot, a checkpoint
 * notification). Counts what was injected and how often a fault point came back from a checkpoint.
 * Runs are told apart by a unique run id, so nothing leaks between tests or attempts.
 */
public final class Faults {
    /** Where a failure can be injected. */
    public enum Site {
        /** A record leaving the source. */
        SOURCE,
        /** A classify prediction leaving the operator. */
        CLASSIFY_OUTPUT,
        /** A generated token leaving the operator. */
        GENERATE_OUTPUT,
        /** An engine call (prefill, step, generate), after it changed part of the bundle's slots. */
        ENGINE,
        /** Opening an engine slot, as a GPU out of device memory fails it. */
        ENGINE_OUT_OF_MEMORY,
        /** A line written into the sink. */
        SINK_WRITE,
        /** The sink's commit of a completed checkpoint, before anything is committed. */
        SINK_COMMIT,
        /** An operator's snapshot (the checkpoint is declined and the job fails over). */
        SNAPSHOT,
        /** An operator's notification that a checkpoint completed: after completion, before the commit. */
        CHECKPOINT_NOTIFICATION,
        /** The same, for a checkpoint completed after the source read its last record (the final ones). */
        FINAL_CHECKPOINT_NOTIFICATION
    }

    private static final Map<String, Faults> RUNS = new ConcurrentHashMap<>();

    private final Map<Site, Long> countdown = new EnumMap<>(Site.class);
    private final Map<Site, Integer> injected = new EnumMap<>(Site.class);
    private int restores;
    private long lastCompletedCheckpoint = -1;

    private Faults() {}

    public static Faults of(String run) {
        return RUNS.computeIfAbsent(run, r -> new Faults());
    }

    public static void forget(String run) {
        RUNS.remove(run);
    }

    /** Makes {@code site} fail at its {@code events}-th event from now (1: the next one). */
    public synchronized void arm(Site site, long events) {
        if (events < 1) {
            throw new IllegalArgumentException("events must be positive: " + events);
        }
        countdown.put(site, events);
    }

    /** Disarms every site that has not fired yet. */
    public synchronized void disarm() {
        countdown.clear();
    }

    /** Whether {@code site} is armed and has not fired yet. */
    public synchronized boolean armed(Site site) {
        return countdown.containsKey(site);
    }

    /** An event at {@code site} of {@code run}: throws if it is the armed one. */
    public static void hit(String run, Site site) {
        Faults f = RUNS.get(run);
        if (f != null && f.fires(site)) {
            throw new InjectedFailure(site == Site.ENGINE_OUT_OF_MEMORY
                    ? "CUDA_ERROR_OUT_OF_MEMORY: out of memory allocating a state slot (injected in " + run + ")"
                    : "injected failure at " + site + " in " + run);
        }
    }

    private synchronized boolean fires(Site site) {
        Long left = countdown.get(site);
        if (left == null) {
            return false;
        }
        if (left > 1) {
            countdown.put(site, left - 1);
            return false;
        }
        countdown.remove(site);
        injected.merge(site, 1, Integer::sum);
        return true;
    }

    public synchronized int injected() {
        return injected.values().stream().mapToInt(Integer::intValue).sum();
    }

    public synchronized int injected(Site site) {
        return injected.getOrDefault(site, 0);
    }

    /** A fault point heard that checkpoint {@code id} completed. */
    public synchronized void checkpointCompleted(long id) {
        lastCompletedCheckpoint = Math.max(lastCompletedCheckpoint, id);
    }

    /** The newest checkpoint a fault point heard had completed, -1 before the first. */
    public synchronized long lastCompletedCheckpoint() {
        return lastCompletedCheckpoint;
    }

    /** A fault point was opened from a checkpoint or savepoint (counted once per restored subtask). */
    public synchronized void restored() {
        restores++;
    }

    public synchronized int restores() {
        return restores;
    }

    /** The exception of an injected failure, so a test can tell it from a real one. */
    public static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }
}
