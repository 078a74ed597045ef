package io.scanflow.flink;

import io.scanflow.flink.engine.EngineWrapper;
import java.io.Serializable;
import io.scanflow.kernels.CudaTuning;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which model to run and on what: a model folder ({@code config.json} plus safetensors) that every
 * TaskManager can read, or a local copy {@link ModelFolders} fetched from a URI (then each TaskManager fetches
 * its own copy from that URI), the backend, and the engine's sizing. Immutable; shipped to the tasks.
 */
public final class ModelSpec implements Serializable {
    private static final long serialVersionUID = 1L;
    /**
     * {@link #withThreads}: the cluster decides, from {@link ScanFlowOptions#CPU_THREADS_PER_SUBTASK} or the
     * TaskManager's processors per slot (see {@link io.scanflow.flink.engine.CpuShare}).
     */
    public static final int AUTO_THREADS = 0;

    private final String directory;
    /** The URI the folder was fetched from, or null for a folder every TaskManager reads directly. */
    private final String source;
    private final EngineChoice engine;
    private final int threads;
    private final int chunkLength;
    private final EngineWrapper wrapper;
    /** CUDA options the job sets ({@link CudaTuning} keys), over the cluster's {@link ScanFlowOptions#CUDA_TUNING}. */
    private final TreeMap<String, String> cudaTuning;

    private ModelSpec(String directory, String source, EngineChoice engine, int threads, int chunkLength,
                      EngineWrapper wrapper, Map<String, String> cudaTuning) {
        this.directory = Objects.requireNonNull(directory, "model directory");
        this.source = source;
        this.engine = Objects.requireNonNull(engine, "engine");
        if ((threads < 1 && threads != AUTO_THREADS) || chunkLength < 1) {
            throw new IllegalArgumentException("engine threads and chunk length must be positive, found "
                    + threads + " and " + chunkLength);
        }
        this.threads = threads;
        this.chunkLength = chunkLength;
        this.wrapper = Objects.requireNonNull(wrapper, "engine wrapper");
        this.cudaTuning = new TreeMap<>(cudaTuning);
        CudaTuning.defaults().with(this.cudaTuning); // a bad key or value fails here, where the job is built
    }

    /**
     * The model in {@code directory}, on {@link EngineChoice#AUTO}, {@link #AUTO_THREADS engine threads from
     * the cluster}, chunks of 256 tokens. A folder {@link ModelFolders#local} fetched from a URI keeps that URI.
     */
    public static ModelSpec of(Path directory) {
        Path local = directory.toAbsolutePath().normalize();
        return new ModelSpec(local.toString(), ModelFolders.sourceOf(local).orElse(null), EngineChoice.AUTO,
                AUTO_THREADS, 256, EngineWrapper.none(), Map.of());
    }

    /** The backend: {@code cpu}, {@code cuda} or {@code auto}. */
    public ModelSpec withEngine(EngineChoice choice) {
        return new ModelSpec(directory, source, choice, threads, chunkLength, wrapper, cudaTuning);
    }

    /**
     * Threads of each subtask's engine (CPU backend), the task thread included: 1 runs everything on the
     * task thread; {@link #AUTO_THREADS} leaves it to the cluster.
     */
    public ModelSpec withThreads(int engineThreads) {
        return new ModelSpec(directory, source, engine, engineThreads, chunkLength, wrapper, cudaTuning);
    }

    /** Tokens per model pass in prefill, and the largest batch slice per worker in a step. */
    public ModelSpec withChunkLength(int tokens) {
        return new ModelSpec(directory, source, engine, threads, tokens, wrapper, cudaTuning);
    }

    /** Wraps each subtask's engine (see {@link EngineWrapper}). */
    public ModelSpec withEngineWrapper(EngineWrapper engineWrapper) {
        return new ModelSpec(directory, source, engine, threads, chunkLength, engineWrapper, cudaTuning);
    }

    /**
     * CUDA engine choices as {@link CudaTuning} {@code key=value} settings (replacing earlier ones); they win
     * over the TaskManager's {@link ScanFlowOptions#CUDA_TUNING} key by key. Throws for an unknown key or value.
     */
    public ModelSpec withCudaTuning(Map<String, String> settings) {
        return new ModelSpec(directory, source, engine, threads, chunkLength, wrapper, settings);
    }

    /** The model folder on this machine (for a fetched model, this JVM's copy: fetched now if it has none). */
    public Path directory() {
        return source == null ? Path.of(directory) : ModelFolders.local(source);
    }

    /** The backend choice. */
    public EngineChoice engine() {
        return engine;
    }

    /** Threads of each subtask's engine, or {@link #AUTO_THREADS}. */
    public int threads() {
        return threads;
    }

    /** Tokens per model pass in prefill. */
    public int chunkLength() {
        return chunkLength;
    }

    /** The job's CUDA settings ({@link #withCudaTuning}), by key. */
    public Map<String, String> cudaTuning() {
        return Collections.unmodifiableMap(cudaTuning);
    }

    /** What wraps each subtask's engine. */
    public EngineWrapper engineWrapper() {
        return wrapper;
    }

    @Override
    public String toString() {
        return "model " + (source == null ? directory : source) + " on " + engine.name().toLowerCase() + " ("
                + (threads == AUTO_THREADS ? "auto" : Integer.toString(threads)) + " threads, chunk " + chunkLength
                + (cudaTuning.isEmpty() ? "" : ", cuda " + cudaTuning) + ")";
    }
}
