package io.scanflow.model;

import io.scanflow.model.config.ModelConfig;

/**
 * A causal sequence model whose whole history is summarised in a fixed-size {@link RecurrentState}.
 *
 * <p>Three execution modes must agree (tests pin this): a recurrent {@link #step} one token at a time,
 * a chunked {@link #prefill} (the chunk is the workspace's row capacity; the state is carried between
 * chunks), and a batched {@link #step} over many independent states.
 *
 * <p>Both modes write the final hidden states (after the last norm); {@link #logits} applies the LM head
 * separately so callers that need only an embedding or only the last position pay for no more.
 *
 * <p>Implementations are immutable and thread-safe; all mutable scratch lives in a {@link Workspace},
 * which one thread uses at a time.
 */
public interface SequenceModel {

    /** The model's configuration. */
    ModelConfig config();

    /** Vocabulary size (logits per token). */
    default int vocabSize() {
        return config().vocabSize();
    }

    /** Hidden size (floats per token between layers). */
    default int hiddenSize() {
        return config().hiddenSize();
    }

    /** Feature width per position for feature-input models; 0 for token models. */
    default int inputFeatures() {
        return config().inputFeatures();
    }

    /** Identifies architecture and weights; a saved state only loads into a model of the same fingerprint. */
    long fingerprint();

    /** A fresh all-zero state (the state before any token). */
    RecurrentState newState();

    /**
     * Copies the state's floats into {@code portable} in the order saved states hold, which does not
     * depend on the backend the model runs on: a backend may keep a state's floats in an order of its
     * own (see {@link io.scanflow.model.math.Kernels#convWindowToPortable} and
     * {@link io.scanflow.model.math.Kernels#scanStateToPortable}). By default the two are one.
     */
    default void exportState(RecurrentState state, float[] portable) {
        System.arraycopy(state.data(), 0, portable, 0, state.data().length);
    }

    /** The inverse of {@link #exportState}: overwrites the state's floats (not its position). */
    default void importState(float[] portable, RecurrentState state) {
        System.arraycopy(portable, 0, state.data(), 0, state.data().length);
    }

    /** Scratch for up to {@code maxRows} tokens per call (the prefill chunk and the largest step batch). */
    Workspace newWorkspace(int maxRows);

    /**
     * Scratch for batched {@link #step}s of up to {@code maxRows} keys that run the whole batch layer by
     * layer, the per-key parts (conv, scan, norms) spread over keys with the kernels' key loop. For a
     * backend that splits each dense layer across threads, so each weight is read once per step. Same
     * results as {@link #newWorkspace}'s; by default it is one.
     */
    default Workspace newBatchStepWorkspace(int maxRows) {
        return newWorkspace(maxRows);
    }

    /** Bytes of weights one pass reads (dense layers and head): tells a backend whether they stay in cache; 0 if unknown. */
    default long weightBytes() {
        return 0;
    }

    /**
     * Feeds {@code length} tokens of one stream, in chunks of at most {@code workspace.maxRows()}.
     *
     * @param hiddenOut receives the final hidden state of every position, [length, hidden] row-major
     *                  from {@code hiddenOffset}; may be null when only the state matters
     */
    void prefill(RecurrentState state, int[] tokens, int offset, int length,
                 float[] hiddenOut, int hiddenOffset, Workspace workspace);

    /**
     * Advances {@code count} independent states by one token each (one batched pass): state
     * {@code states[offset + i]} takes token {@code tokens[offset + i]}.
     *
     * @param hiddenOut receives [count, hidden] from {@code hiddenOffset}; may be null
     */
    void step(RecurrentState[] states, int[] tokens, int offset, int count,
              float[] hiddenOut, int hiddenOffset, Workspace workspace);

    /**
     * {@link #prefill} for a feature-input model: {@code features} holds [length, inputFeatures] from
     * row {@code offset}.
     */
    void prefillFeatures(RecurrentState state, float[] features, int offset, int length,
                         float[] hiddenOut, int hiddenOffset, Workspace workspace);

    /** {@link #step} for a feature-input model: state {@code offset + i} takes feature row {@code offset + i}. */
    void stepFeatures(RecurrentState[] states, float[] features, int offset, int count,
                      float[] hiddenOut, int hiddenOffset, Workspace workspace);

    /** LM head: logits [rows, vocab] for hidden rows [rows, hidden]. */
    void logits(float[] hidden, int hiddenOffset, int rows, float[] logitsOut, int logitsOffset);
}
