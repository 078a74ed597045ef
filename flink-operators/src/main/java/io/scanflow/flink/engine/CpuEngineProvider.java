package io.scanflow.flink.engine;

import io.scanflow.kernels.Engine;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;

/**
 * The pure-Java backend; always available. Each engine has its own pool of {@link EngineSettings#threads()}
 * threads, stopped when the engine closes ({@link CpuShare} says how many).
 */
public final class CpuEngineProvider implements EngineProvider {

    @Override
    public String backend() {
        return "cpu";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Engine create(SequenceModel model, EngineSettings settings) {
        return CpuEngine.withOwnPool(model, settings.threads(), settings.chunkLength());
    }
}
