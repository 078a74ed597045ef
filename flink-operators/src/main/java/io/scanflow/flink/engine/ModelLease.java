package io.scanflow.flink.engine;

import io.scanflow.model.SequenceModel;
import java.nio.file.Path;

/** One subtask's hold on a shared model; closing it twice releases once. */
public final class ModelLease implements AutoCloseable {
    private final Path key;
    private final SequenceModel model;
    private boolean released;

    ModelLease(Path key, SequenceModel model) {
        this.key = key;
        this.model = model;
    }

    /** The shared model. */
    public SequenceModel model() {
        return model;
    }

    /** The local folder the model was loaded from. */
    public Path directory() {
        return key;
    }

    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            SharedModels.release(key);
        }
    }
}
