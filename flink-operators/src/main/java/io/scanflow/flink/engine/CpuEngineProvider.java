package io.scanflow.flink.engine;

import io.scanflow.kernels.Engine;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;

/** The pure-Java backend; always available. */
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
        return new CpuEngine(model, settings.threads(), settings.chunkLength());
    }
}
