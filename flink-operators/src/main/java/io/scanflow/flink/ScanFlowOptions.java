package io.scanflow.flink;

import io.scanflow.kernels.CudaTuning;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** ScanFlow's options in a TaskManager's Flink configuration ({@code config.yaml}). */
public final class ScanFlowOptions {

    /**
     * Threads of each subtask's CPU engine where the job's {@link ModelSpec} leaves them to the cluster
     * ({@link ModelSpec#AUTO_THREADS}, the default).
     */
    public static final ConfigOption<Integer> CPU_THREADS_PER_SUBTASK =
            ConfigOptions.key("scanflow.cpu.threads-per-subtask")
                    .intType()
                    .noDefaultValue()
                    .withDescription("Threads of each ScanFlow subtask's CPU engine: the task thread and this many"
                            + " minus one workers, started when the operator opens and stopped when it closes."
                            + " Unset: the TaskManager's processors divided by its task slots (at least 1), so"
                            + " that a TaskManager's slots together use its cores once. A job's"
                            + " ModelSpec.withThreads(n) takes precedence.");

    /**
     * How the CUDA engine computes where it has more than one way ({@link CudaTuning}): {@code key:value} pairs,
     * e.g. {@code scanflow.cuda.tuning: gemm:ffma,scan:sequential}. A job's {@link ModelSpec#withCudaTuning}
     * wins key by key.
     */
    public static final ConfigOption<Map<String, String>> CUDA_TUNING =
            ConfigOptions.key("scanflow.cuda.tuning")
                    .mapType()
                    .noDefaultValue()
                    .withDescription("Choices of each ScanFlow subtask's CUDA engine, as key:value pairs (keys: "
                            + String.join(", ", CudaTuning.KEYS) + "; see docs/cuda.md). Unset keys keep their"
                            + " defaults; the keys a job sets (--cuda KEY=VALUE) take precedence.");

    private ScanFlowOptions() {}
}
