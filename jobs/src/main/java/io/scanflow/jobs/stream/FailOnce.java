package io.scanflow.jobs.stream;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * A pass-through that fails the job once, at the {@code after}-th record through it once a checkpoint of
 * the run has completed, counted in this JVM (all subtasks together, so the point does not depend on
 * parallelism): the failure a recovery test needs, with a checkpoint to restore from. Counting starts
 * at the first completed checkpoint because a failure before it restarts the job from the beginning,
 * which tests nothing of the restore. The count lives in the JVM, not in Flink state, so the restarted
 * job does not fail again; on a cluster it counts per TaskManager.
 */
public final class FailOnce<T> implements MapFunction<T, T>, CheckpointListener {
    private static final long serialVersionUID = 1L;
    /** Records counted per run; a run is absent until one of its checkpoints completes. */
    private static final Map<String, AtomicLong> SEEN = new ConcurrentHashMap<>();
    /** Runs that have failed. */
    private static final Set<String> FAILED = ConcurrentHashMap.newKeySet();

    private final String run;
    private final long after;

    public FailOnce(String run, long after) {
        this.run = run;
        this.after = after;
    }

    /** Records counted for {@code run} since its first completed checkpoint (in this JVM); -1 before it. */
    public static long seen(String run) {
        AtomicLong seen = SEEN.get(run);
        return seen == null ? -1 : seen.get();
    }

    /** Whether {@code run} has failed (in this JVM). */
    public static boolean failed(String run) {
        return FAILED.contains(run);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        SEEN.computeIfAbsent(run, r -> new AtomicLong());
    }

    @Override
    public T map(T value) {
        AtomicLong seen = SEEN.get(run);
        if (seen != null && seen.incrementAndGet() == after) {
            FAILED.add(run);
            throw new IllegalStateException("injected failure after " + after + " outputs since the first completed"
                    + " checkpoint (--fail-after)");
        }
        return value;
    }
}
