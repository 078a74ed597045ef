package io.scanflow.kernels;

import io.scanflow.model.sampling.RandomState;
import io.scanflow.model.sampling.Sampler;
import io.scanflow.model.sampling.SamplingConfig;

/**
 * {@link Engine#generate} as the loop a caller would write: one batched {@link Output#LAST_LOGITS}
 * step per token, then the host {@link Sampler} per slot. The token loop allocates nothing; an engine
 * that keeps one instance also reuses the logits and token buffers across calls (a generation round of
 * one token is one call). One thread at a time, like the engine.
 */
public final class GenerationLoop {
    private Sampler sampler;
    private int vocab;
    private float[] logits = new float[0];
    private int[] fed = new int[0];
    private RandomState[] rng = new RandomState[0];

    /** Runs {@link Engine#generate} on {@code engine} as a step loop with the host sampler (same contract). */
    public void generate(Engine engine, int[] slots, int[] firstTokens, int count, int steps, SamplingConfig sampling,
                         long[] rngStates, int[] outTokens) {
        checkArguments(slots, firstTokens, count, steps, sampling, rngStates, outTokens);
        if (count == 0 || steps == 0) {
            return;
        }
        int v = engine.model().vocabSize();
        prepare(sampling, v, count);
        System.arraycopy(firstTokens, 0, fed, 0, count);
        for (int i = 0; i < count; i++) {
            // Greedy decoding draws nothing; the state only fills the sampler's argument.
            rng[i] = new RandomState(sampling.greedy() ? 0L : rngStates[i]);
        }
        for (int t = 0; t < steps; t++) {
            engine.step(slots, fed, count, Output.LAST_LOGITS, logits);
            for (int i = 0; i < count; i++) {
                int token = sampler.sample(logits, i * v, v, rng[i]);
                outTokens[i * steps + t] = token;
                fed[i] = token;
            }
        }
        if (!sampling.greedy()) {
            for (int i = 0; i < count; i++) {
                rngStates[i] = rng[i].state();
            }
        }
    }

    /** The argument checks every {@link Engine#generate} shares (an engine adds its own slot checks). */
    public static void checkArguments(int[] slots, int[] firstTokens, int count, int steps, SamplingConfig sampling,
                                      long[] rngStates, int[] outTokens) {
        if (count < 0 || count > slots.length || count > firstTokens.length) {
            throw new IllegalArgumentException("generate for " + count + " slots (" + slots.length + " slots, "
                    + firstTokens.length + " tokens given)");
        }
        if (steps < 0 || (long) count * steps > outTokens.length) {
            throw new IllegalArgumentException("generate of " + steps + " steps for " + count + " slots needs "
                    + (long) count * steps + " output tokens, found room for " + outTokens.length);
        }
        if (!sampling.greedy() && (rngStates == null || rngStates.length < count)) {
            throw new IllegalArgumentException("sampled generation needs one random state per slot");
        }
    }

    private void prepare(SamplingConfig sampling, int v, int count) {
        if (sampler == null || v != vocab || !sampler.config().equals(sampling)) {
            sampler = new Sampler(sampling, v);
        }
        if (fed.length < count || v != vocab) {
            fed = new int[count];
            rng = new RandomState[count];
            logits = new float[count * v];
        }
        vocab = v;
    }
}
