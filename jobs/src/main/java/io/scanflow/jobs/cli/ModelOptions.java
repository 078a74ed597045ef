package io.scanflow.jobs.cli;

import io.scanflow.kernels.Engine;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every model-running subcommand shares. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model folder: config.json and safetensors (Hugging Face or state-spaces layout).")
    Path model;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "cpu|cuda|auto",
            description = "Compute backend (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--threads", paramLabel = "N",
            description = "CPU engine worker threads (default: available processors).")
    Integer threads;

    /** Loads the model for the chosen backend (the CPU backend runs its SIMD kernels). */
    SequenceModel load() {
        return CpuEngine.loadModel(model);
    }

    Engine openEngine(SequenceModel m, int chunkLength) {
        int workers = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        switch (engine) {
            case "cpu":
            case "auto":
                return new CpuEngine(m, workers, chunkLength);
            case "cuda":
                throw new IllegalArgumentException("--engine cuda: no CUDA backend is available in this build");
            default:
                throw new IllegalArgumentException("--engine must be cpu, cuda or auto, found '" + engine + "'");
        }
    }
}
