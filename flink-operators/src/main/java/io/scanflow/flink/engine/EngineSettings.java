package io.scanflow.flink.engine;

import io.scanflow.kernels.CudaTuning;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How one subtask's engine is sized and placed.
 *
 * @param threads     CPU worker threads
 * @param chunkLength tokens per model pass in prefill
 * @param gpus        device indexes Flink's external resource framework gave this TaskManager
 *                    ({@code external-resources: gpu}); empty when none is configured
 * @param subtask     index of the subtask, so a backend can spread subtasks over {@code gpus}
 * @param keys        most keys the caller holds in slots at once (a backend with slots allocated up front
 *                    sizes them from it, within its memory; the caller frees idle keys' slots when full)
 * @param cuda        how a CUDA engine computes ({@link CudaTuning}; other backends ignore it)
 */
public record EngineSettings(int threads, int chunkLength, List<String> gpus, int subtask, Path modelDirectory,
                             int keys, CudaTuning cuda) {
    /** Keys when the caller does not say: the CUDA engine's former fixed slot count. */
    public static final int DEFAULT_KEYS = 256;

    /** Checks the settings and copies the GPU list. */
    public EngineSettings {
        gpus = List.copyOf(gpus);
        Objects.requireNonNull(cuda, "cuda");
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be positive, found " + keys);
        }
    }

    /** Settings for {@link #DEFAULT_KEYS} keys and the default CUDA choices. */
    public EngineSettings(int threads, int chunkLength, List<String> gpus, int subtask, Path modelDirectory) {
        this(threads, chunkLength, gpus, subtask, modelDirectory, DEFAULT_KEYS, CudaTuning.defaults());
    }
}
