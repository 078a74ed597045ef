package io.scanflow.kernels;

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
 */
public record EngineOptions(int cpuThreads, int chunkLength, int maxSlots, int maxRowsPerPass, int device,
                            boolean cudaGraphs) {
    /** {@code maxRowsPerPass}: the backend chooses. */
    public static final int AUTO_ROWS = 0;

    /** Checks that the sizes are positive. */
    public EngineOptions {
        if (cpuThreads < 1 || chunkLength < 1 || maxSlots < 1 || maxRowsPerPass < 0 || device < 0) {
            throw new IllegalArgumentException("engine options must be positive: " + this);
        }
    }

    /** All processors, chunks of 2048 tokens, 256 slots, rows chosen by the backend, device 0, CUDA graphs on. */
    public static EngineOptions defaults() {
        return new EngineOptions(Math.max(1, Runtime.getRuntime().availableProcessors()), 2048, 256, AUTO_ROWS, 0, true);
    }

    /** These options with {@code cpuThreads = v}. */
    public EngineOptions withCpuThreads(int v) {
        return new EngineOptions(v, chunkLength, maxSlots, maxRowsPerPass, device, cudaGraphs);
    }

    /** These options with {@code chunkLength = v}. */
    public EngineOptions withChunkLength(int v) {
        return new EngineOptions(cpuThreads, v, maxSlots, maxRowsPerPass, device, cudaGraphs);
    }

    /** These options with {@code maxSlots = v}. */
    public EngineOptions withMaxSlots(int v) {
        return new EngineOptions(cpuThreads, chunkLength, v, maxRowsPerPass, device, cudaGraphs);
    }

    /** These options with {@code maxRowsPerPass = v}. */
    public EngineOptions withMaxRowsPerPass(int v) {
        return new EngineOptions(cpuThreads, chunkLength, maxSlots, v, device, cudaGraphs);
    }

    /** These options with {@code device = v}. */
    public EngineOptions withDevice(int v) {
        return new EngineOptions(cpuThreads, chunkLength, maxSlots, maxRowsPerPass, v, cudaGraphs);
    }

    /** These options with {@code cudaGraphs = v}. */
    public EngineOptions withCudaGraphs(boolean v) {
        return new EngineOptions(cpuThreads, chunkLength, maxSlots, maxRowsPerPass, device, v);
    }
}
