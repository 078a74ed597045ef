package io.scanflow.model.mamba;

import io.scanflow.model.weights.Checkpoint;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads a model's tensors from a checkpoint, remembering which were used (so leftovers can be reported as
 * unexpected) and folding every name and value into the model fingerprint.
 */
final class WeightReader {
    private static final long FNV_PRIME = 0x100000001b3L;

    private final Checkpoint checkpoint;
    private final Set<String> consumed = new HashSet<>();
    private long hash = 0xcbf29ce484222325L;

    WeightReader(Checkpoint checkpoint, String configDescription) {
        this.checkpoint = checkpoint;
        mix(configDescription);
    }

    float[] read(String name, long... shape) {
        float[] values = checkpoint.floats(name, shape);
        consumed.add(name);
        mix(name);
        for (float v : values) {
            hash = (hash ^ Float.floatToRawIntBits(v)) * FNV_PRIME;
        }
        return values;
    }

    /** Reads the tensor when the config says it exists; an absent optional tensor is null. */
    float[] readIf(boolean present, String name, long... shape) {
        return present ? read(name, shape) : null;
    }

    boolean contains(String name) {
        return checkpoint.contains(name);
    }

    /** Fails on any tensor of the checkpoint that the model did not read. */
    void requireNoUnexpected() {
        checkpoint.requireNoUnexpected(consumed);
    }

    long fingerprint() {
        return hash;
    }

    private void mix(String s) {
        for (int i = 0; i < s.length(); i++) {
            hash = (hash ^ s.charAt(i)) * FNV_PRIME;
        }
    }
}
