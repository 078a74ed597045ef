package io.scanflow.jobs.stream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * A pass-through that fails the job once, when the run's records through it reach {@code after} in this
 * JVM (all subtasks together, so the point does not depend on parallelism): the failure a recovery test
 * needs. The count lives in the JVM, not in Flink state, so the restarted job does not fail again; on a
 * cluster it counts per TaskManager.
 */
public final class FailOnce<T> implements MapFunction<T, T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, AtomicLong> SEEN = new ConcurrentHashMap<>();

    private final String run;
    private final long after;

    public FailOnce(String run, long after) {
        this.run = run;
        this.after = after;
    }

    @Override
    public T map(T value) {
        if (SEEN.computeIfAbsent(run, r -> new AtomicLong()).incrementAndGet() == after) {
            throw new IllegalStateException("injected failure after " + after + " outputs (--fail-after)");
        }
        return value;
    }
}
