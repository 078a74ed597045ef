package io.scanflow.flink.engine;

import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanFlowOptions;
import io.scanflow.kernels.CudaTuning;
import org.apache.flink.configuration.Configuration;

/**
 * The CUDA choices of one subtask's engine: {@link CudaTuning#defaults()}, then the TaskManager's
 * {@link ScanFlowOptions#CUDA_TUNING}, then the keys the job's {@link ModelSpec} sets.
 */
public final class CudaTuningSettings {
    private CudaTuningSettings() {}

    /** Throws, naming the option, for a key or value of the TaskManager's setting that the engine does not take. */
    public static CudaTuning resolve(ModelSpec spec, Configuration taskManagerConfig) {
        CudaTuning t = CudaTuning.defaults();
        try {
            t = t.with(taskManagerConfig.getOptional(ScanFlowOptions.CUDA_TUNING).orElse(null));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ScanFlowOptions.CUDA_TUNING.key() + ": " + e.getMessage(), e);
        }
        return t.with(spec.cudaTuning());
    }
}
