package io.scanflow.model;

import java.util.Arrays;

/**
 * The recurrent state of one stream (one Flink key): the conv window and SSM state of every layer in one
 * flat array, laid out by the model that made it, plus the number of tokens consumed so far.
 *
 * <p>A state is tied to the model that made it ({@link SequenceModel#fingerprint()}); the state codec
 * refuses to load it into another model.
 */
public final class RecurrentState {
    private final float[] data;
    private long position;

    /** A zeroed state of {@code floats} floats at position 0. */
    public RecurrentState(int floats) {
        this.data = new float[floats];
    }

    /** The raw floats, owned by the model's layout. Mutated in place by prefill and step. */
    public float[] data() {
        return data;
    }

    /** Tokens consumed since the state was created or reset. */
    public long position() {
        return position;
    }

    /** Moves the position on by {@code tokens}. */
    public void advance(long tokens) {
        position += tokens;
    }

    /** Sets the position (tokens consumed so far). */
    public void setPosition(long position) {
        this.position = position;
    }

    /** Zeroes the state and its position: a fresh stream. */
    public void reset() {
        Arrays.fill(data, 0f);
        position = 0;
    }

    /** Copies {@code other}'s floats and position into this state (same size). */
    public void copyFrom(RecurrentState other) {
        if (other.data.length != data.length) {
            throw new IllegalArgumentException("state sizes differ: " + other.data.length + " vs " + data.length);
        }
        System.arraycopy(other.data, 0, data, 0, data.length);
        position = other.position;
    }

    /** An independent copy. */
    public RecurrentState copy() {
        RecurrentState c = new RecurrentState(data.length);
        c.copyFrom(this);
        return c;
    }
}
