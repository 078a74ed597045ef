package io.scanflow.flink.engine;

import io.scanflow.kernels.Engine;
import io.scanflow.model.SequenceModel;

/**
 * A compute backend the operators can pick, found with {@link java.util.ServiceLoader}: a backend jar
 * lists its provider in {@code META-INF/services/io.scanflow.flink.engine.EngineProvider}.
 */
public interface EngineProvider {

    /** The backend's name, {@code cpu} or {@code cuda}: what {@link Engine#backend()} says. */
    String backend();

    /** Whether the backend can run here (a CUDA provider checks driver and device); never throws. */
    boolean isAvailable();

    /** Whether the backend runs this model (the CUDA backend runs token models only); never throws. */
    default boolean supports(SequenceModel model) {
        return true;
    }

    /** A new engine over the shared model, used by one task thread. */
    Engine create(SequenceModel model, EngineSettings settings);
}
