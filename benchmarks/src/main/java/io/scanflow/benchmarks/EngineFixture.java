package io.scanflow.benchmarks;

import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** Random-weight models are written once per JVM and shape, then loaded for the CPU backend. */
final class EngineFixture {
    private static final Map<ModelShape, SequenceModel> MODELS = new EnumMap<>(ModelShape.class);

    private EngineFixture() {}

    static synchronized SequenceModel model(ModelShape shape) {
        return MODELS.computeIfAbsent(shape, s -> {
            try {
                Path dir = Files.createTempDirectory("scanflow-bench-" + s.name().toLowerCase());
                SyntheticModels.write(s, dir);
                SequenceModel m = CpuEngine.loadModel(dir);
                Files.delete(dir.resolve("model.safetensors"));
                Files.delete(dir.resolve("config.json"));
                Files.delete(dir);
                return m;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static int threads() {
        return Integer.getInteger("scanflow.threads", Runtime.getRuntime().availableProcessors());
    }
}
