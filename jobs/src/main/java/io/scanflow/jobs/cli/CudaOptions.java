package io.scanflow.jobs.cli;

import io.scanflow.kernels.CudaTuning;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --cuda KEY=VALUE}: how the CUDA engine computes where it has more than one way ({@link CudaTuning};
 * the CPU engine ignores it). In a Flink job these win over the TaskManager's {@code scanflow.cuda.tuning}.
 */
final class CudaOptions {
    @Option(names = "--cuda", paramLabel = "KEY=VALUE", split = ",",
            description = "CUDA engine choice, repeatable or comma-separated: gemm=tf32x3|ffma, scan=auto|sequential,"
                    + " scan-segment=N, device-generate=true|false, generate-kernel=auto|smem|l2|l2-512,"
                    + " generate-shaped=true|false, sync-each-launch=true|false, gemm-big-tile=KERNEL"
                    + " (see docs/cuda.md; default: the fastest measured).")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The settings, checked: an unknown key or value is a usage error. */
    Map<String, String> settings() {
        tuning();
        return settings;
    }

    /** {@link CudaTuning#defaults()} with the settings applied. */
    CudaTuning tuning() {
        try {
            return CudaTuning.defaults().with(settings);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--cuda: " + e.getMessage());
        }
    }
}
