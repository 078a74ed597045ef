package io.scanflow.kernels.cuda;

import io.scanflow.kernels.CudaTuning;
import io.scanflow.kernels.EngineOptions;

/**
 * The CUDA tuning a GPU test or benchmark run asks for: each {@code -Dscanflow.cuda.KEY=VALUE} of the test JVM
 * (KEY one of {@link CudaTuning#KEYS}) on top of {@link CudaTuning#defaults()}. scripts/cuda-bench.sh runs the
 * kernel and parity tests once per scan mode this way.
 */
final class TestTuning {
    private static final String PREFIX = "scanflow.cuda.";

    private TestTuning() {}

    static CudaTuning fromSystemProperties() {
        CudaTuning t = CudaTuning.defaults();
        for (String key : CudaTuning.KEYS) {
            String value = System.getProperty(PREFIX + key);
            if (value != null) {
                t = t.with(key, value);
            }
        }
        return t;
    }

    /** {@link EngineOptions#defaults()} with {@link #fromSystemProperties()}. */
    static EngineOptions options() {
        return EngineOptions.defaults().withCuda(fromSystemProperties());
    }
}
