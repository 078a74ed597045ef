package io.scanflow.flink.engine;

import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanFlowOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * How many CPU threads one subtask's engine gets: what its {@link ModelSpec} asks for, else
 * {@link ScanFlowOptions#CPU_THREADS_PER_SUBTASK} from the TaskManager's configuration, else the slot's
 * share of the TaskManager's processors (processors / slots, at least 1).
 */
public final class CpuShare {
    private CpuShare() {}

    /**
     * @param requested         the spec's threads, or {@link ModelSpec#AUTO_THREADS}
     * @param taskManagerConfig the configuration the TaskManager was started with
     * @param processors        processors the TaskManager's JVM sees
     */
    public static int threads(int requested, Configuration taskManagerConfig, int processors) {
        if (requested != ModelSpec.AUTO_THREADS) {
            return requested;
        }
        Integer configured = taskManagerConfig.get(ScanFlowOptions.CPU_THREADS_PER_SUBTASK);
        if (configured != null) {
            if (configured < 1) {
                throw new IllegalArgumentException(ScanFlowOptions.CPU_THREADS_PER_SUBTASK.key()
                        + " must be at least 1, found " + configured);
            }
            return configured;
        }
        int slots = Math.max(1, taskManagerConfig.get(TaskManagerOptions.NUM_TASK_SLOTS));
        return Math.max(1, processors / slots);
    }
}
