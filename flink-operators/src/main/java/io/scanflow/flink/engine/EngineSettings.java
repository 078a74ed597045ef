package io.scanflow.flink.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * How one subtask's engine is sized and placed.
 *
 * @param threads     CPU worker threads
 * @param chunkLength tokens per model pass in prefill
 * @param gpus        device indexes Flink's external resource framework gave this TaskManager
 *                    ({@code external-resources: gpu}); empty when none is configured
 * @param subtask     index of the subtask, so a backend can spread subtasks over {@code gpus}
 */
public record EngineSettings(int threads, int chunkLength, List<String> gpus, int subtask, Path modelDirectory) {
    public EngineSettings {
        gpus = List.copyOf(gpus);
    }
}
