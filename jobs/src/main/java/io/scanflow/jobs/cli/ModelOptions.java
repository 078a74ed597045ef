package io.scanflow.jobs.cli;

import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.engine.EngineSettings;
import io.scanflow.flink.engine.Engines;
import io.scanflow.kernels.CudaTuning;
import io.scanflow.kernels.Engine;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.loader.ModelLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options every model-running subcommand shares: the model folder and the engine that runs it. */
public final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR|URI", converter = ModelFolderConverter.class,
            description = "Model folder: config.json and safetensors (Hugging Face or state-spaces layout); or its URI on a file"
                    + " system Flink has a plugin for (s3://...), fetched into a local cache.")
    Path model;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "cpu|cuda|auto", converter = EngineConverter.class,
            description = "Compute backend; auto takes CUDA where a CUDA backend and a GPU are there, else the CPU"
                    + " (default: ${DEFAULT-VALUE}).")
    EngineChoice engine;

    @Option(names = "--threads", paramLabel = "N",
            description = "CPU engine worker threads (default: all processors; in Flink jobs, 1 per parallel subtask).")
    Integer threads;

    @Mixin
    CudaOptions cuda = new CudaOptions();

    /** {@code cpu}, {@code cuda} or {@code auto}, in any case. */
    static final class EngineConverter implements CommandLine.ITypeConverter<EngineChoice> {
        @Override
        public EngineChoice convert(String value) {
            try {
                return EngineChoice.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected cpu, cuda or auto, found '" + value + "'");
            }
        }
    }

    /** Loads the model for the in-process engine (the CPU backend runs its SIMD kernels). */
    SequenceModel load() {
        return CpuEngine.loadModel(model);
    }

    /** Loads the model with the reference kernels: checks every tensor without needing the Vector API. */
    SequenceModel check() {
        return ModelLoader.load(model);
    }

    /** An in-process engine over {@code m}, from the backend {@code --engine} selects. */
    Engine openEngine(SequenceModel m, int chunkLength) {
        CudaTuning tuning = cuda.tuning(); // a bad --cuda is a usage error on every backend
        int workers = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (Engines.resolve(engine, Engines.providers()).backend().equals("cpu")) {
            return new CpuEngine(m, workers, chunkLength);
        }
        return Engines.create(engine, m, new EngineSettings(workers, chunkLength, List.of(), 0, model,
                EngineSettings.DEFAULT_KEYS, tuning));
    }

    /** The in-process engine as the summary shows it: {@code cpu (4 threads)}. */
    String describeEngine() {
        int workers = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        String backend = backend();
        return backend.equals("cpu") ? backend + " (" + workers + (workers == 1 ? " thread)" : " threads)") : backend;
    }

    /** The backend {@code --engine} selects in this JVM (throws with the reason when cuda cannot be met). */
    String backend() {
        return Engines.resolve(engine, Engines.providers()).backend();
    }

    /** The model operator's spec: the model folder as seen by every TaskManager, engine, threads, chunk. */
    ModelSpec spec(int chunkLength) {
        return ModelSpec.of(model).withEngine(engine).withThreads(threads == null ? 1 : threads)
                .withChunkLength(chunkLength).withCudaTuning(cuda.settings());
    }
}
