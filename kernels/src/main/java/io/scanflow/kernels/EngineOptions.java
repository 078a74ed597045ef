package io.scanflow.kernels;

import java.util.Objects;

/**
 * How an engine is built. Fields a backend does not use are ignored by it.
 *
 * @param cpuThreads     CPU backend: workers
 * @param chunkLength    both: most tokens of one request per model pass (prefill chunk; the state is
 *                       carried between chunks)
 * @param maxSlots       CUDA backend: state slots allocated on the device up front (most open slots)
 * @param maxRowsPerPass CUDA backend: most token rows of all requests in one prefill pass (the device
 *                       workspace is sized for {@code max(maxRowsPerPass, maxSlots)} rows); {@link #AUTO_ROWS}
 *                       (the default) lets the backend choose from the model and the device's free memory
 * @param device         CUDA backend: device ordinal
 * @param cudaGraphs     CUDA backend: replay a captured graph for each batched-step shape
 * @param cuda           CUDA backend: which kernels and paths compute ({@link CudaTuning})
 */
public record EngineOptions(int cpuThreads, int chunkLength, int maxSlots, int maxRowsPerPass, int device,
                            boolean cudaGraphs, CudaTuning cuda) {
    /** {@code maxRowsPerPass}: the backend chooses. */
    public static final int AUTO_ROWS = 0;

    /** Checks that the sizes are positive. */
    public EngineOptions {
        if (cpuThreads < 1 || chunkLength < 1 || maxSlots < 1 || maxRowsPerPass < 0 || device < 0) {
            throw new IllegalArgumentException("engine options must be positive: " + this);
        }
        Objects.requireNonNull(cuda, "cuda");
    }

    /**
     * All processors, chunks of 2048 tokens, 256 slots, rows chosen by the backend, device 0, CUDA graphs on,
     * {@link CudaTuning#defaults()}.
     */
    public static EngineOptions defaults() {
        return new EngineOptions(Math.max(1, Runtime.getRuntime().availableProcessors()), 2048, 256, AUTO_ROWS, 0, true,
                CudaTuning.defaults());
    }

    /** These options with {@code cpuThreads = v}. */
    public EngineOptions withCpuThreads(int v) {
        return new EngineOptions(v, chunkLength, maxSlots, maxRowsPerPass, device, cudaGraphs, cuda);
    }

    /** These options with {@code chunkLength = v}. */
    public EngineOptions withChunkLength(int v) {
        return new EngineOptions(cpuThreads, v, maxSlots, maxRowsPerPass, device, cudaGraphs, cuda);
    }

    /** These options with {@code maxSlots = v}. */
    public EngineOptions withMaxSlots(int v) {
        return new EngineOptions(cpuThreads, chunkLength, v, maxRowsPerPass, device, cudaGraphs, cuda);
    }

    /** These options with {@code maxRowsPerPass = v}. */
    public EngineOptions withMaxRowsPerPass(int v) {
        return new EngineOptions(cpuThreads, chunkLength, maxSlots, v, device, cudaGraphs, cuda);
    }

    /** These options with {@code device = v}. */
    public EngineOptions withDevice(int v) {
        return new EngineOptions(cpuThreads, chunkLength, maxSlots, maxRowsPerPass, v, cudaGraphs, cuda);
    }

    /** These options with {@code cudaGraphs = v}. */
    public EngineOptions withCudaGraphs(boolean v) {
        return new EngineOptions(cpuThreads, chunkLength, maxSlots, maxRowsPerPass, device, v, cuda);
    }

    /** These options with {@code cuda = v}. */
    public EngineOptions withCuda(CudaTuning v) {
        return new EngineOptions(cpuThreads, chunkLength, maxSlots, maxRowsPerPass, device, cudaGraphs, v);
    }
}
