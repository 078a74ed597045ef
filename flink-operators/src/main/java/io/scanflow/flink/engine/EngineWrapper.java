package io.scanflow.flink.engine;

import io.scanflow.kernels.Engine;
import java.io.Serializable;

/**
 * Wraps the engine a subtask creates, before the operator uses it: for metrics or tracing around
 * engine calls, or to inject engine failures in fault tests. Shipped to the tasks with the
 * {@link io.scanflow.flink.ModelSpec}, so it must be serializable.
 */
@FunctionalInterface
public interface EngineWrapper extends Serializable {

    /** The engine the operator uses in place of {@code engine}; closing it must close {@code engine}. */
    Engine wrap(Engine engine, int subtask);

    /** The engine itself. */
    static EngineWrapper none() {
        return (engine, subtask) -> engine;
    }
}
