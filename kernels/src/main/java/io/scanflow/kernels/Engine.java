package io.scanflow.kernels;

import io.scanflow.model.SequenceModel;
import io.scanflow.model.sampling.SamplingConfig;

/**
 * A compute backend running one model over many streams. The engine owns each stream's recurrent state
 * in a numbered <em>slot</em> (host memory on the CPU, device memory on CUDA), so a bundle of work only
 * names slots and nothing is gathered through the caller.
 *
 * <p>The Flink operator drives an engine in bundles: {@link #prefill} for chunks of tokens per key,
 * {@link #step} for one token per key across many keys. Before a checkpoint barrier it copies dirty
 * slots out with {@link #saveSlot}; after a restore it refills them with {@link #loadSlot}. The state
 * bytes are the model's versioned state format, identical across backends.
 *
 * <p>An engine is used by one thread at a time (a Flink task); it may use a pool internally.
 */
public interface Engine extends AutoCloseable {

    /** Backend name as shown to users: {@code cpu} or {@code cuda}. */
    String backend();

    /** The model the engine runs. */
    SequenceModel model();

    /** Opens a slot holding a fresh (all-zero) state and returns its number. */
    int openSlot();

    /** Frees a slot; its number may be handed out again. */
    void closeSlot(int slot);

    /** Resets a slot to the fresh state. */
    void resetSlot(int slot);

    /** Replaces a slot's state with previously saved bytes (throws if they belong to another model). */
    void loadSlot(int slot, byte[] stateBytes);

    /** The slot's state in the model's versioned state format. */
    byte[] saveSlot(int slot);

    /** Tokens consumed by the slot's stream. */
    long position(int slot);

    /** Slots open now. */
    int openSlots();

    /** Most slots open at once ({@link #openSlot} fails beyond it); unbounded by default. */
    default int slotCapacity() {
        return Integer.MAX_VALUE;
    }

    /**
     * Feeds each slot its tokens (a chunk of its stream), all requests in one call.
     *
     * @param tokens {@code tokens[i]} goes to {@code slots[i]}; a slot appears at most once per call
     * @param out    {@code out[i]} receives request i's output, {@link Output#width} floats per row
     *               ({@link Output#rows} rows); ignored for {@link Output#NONE}
     */
    void prefill(int[] slots, int[][] tokens, Output output, float[][] out);

    /**
     * Advances {@code count} slots by one token each, as one batched pass.
     *
     * @param out [count, width] row-major; ignored for {@link Output#NONE}
     */
    void step(int[] slots, int[] tokens, int count, Output output, float[] out);

    /**
     * Generates {@code steps} tokens for each of {@code count} slots: {@code firstTokens[i]} is fed to
     * {@code slots[i]}, the token chosen from the resulting logits is fed next, and so on, so every
     * sampled token but the last is fed; each slot's position advances by {@code steps}. Tokens are
     * chosen exactly as {@code Sampler} does with {@code sampling} and, when not greedy, one
     * {@code RandomState.nextDouble} per token from the slot's SplitMix64 state {@code rngStates[i]},
     * which is replaced by the advanced state (greedy: {@code rngStates} is not used and may be null).
     *
     * <p>The default is that loop over {@link #step} with {@link Output#LAST_LOGITS} and a host
     * {@code Sampler}; a backend may run it without returning to the host between tokens, with the
     * same results.
     *
     * @param outTokens receives slot i's token of step t at {@code [i * steps + t]}
     */
    default void generate(int[] slots, int[] firstTokens, int count, int steps, SamplingConfig sampling,
                          long[] rngStates, int[] outTokens) {
        new GenerationLoop().generate(this, slots, firstTokens, count, steps, sampling, rngStates, outTokens);
    }

    /**
     * {@link #prefill} for feature-input models: {@code features[i]} is [length_i, inputFeatures]
     * row-major. Backends without feature input keep this default.
     */
    default void prefillFeatures(int[] slots, float[][] features, Output output, float[][] out) {
        throw new UnsupportedOperationException(backend() + " engine does not run feature-input models");
    }

    /** {@link #step} for feature-input models: {@code features} is [count, inputFeatures]. */
    default void stepFeatures(int[] slots, float[] features, int count, Output output, float[] out) {
        throw new UnsupportedOperationException(backend() + " engine does not run feature-input models");
    }

    @Override
    void close();
}
