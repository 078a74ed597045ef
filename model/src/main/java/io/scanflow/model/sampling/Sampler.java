package io.scanflow.model.sampling;

import java.util.Arrays;

/**
 * Draws the next token from logits. Owns its scratch (sized to the vocabulary), so sampling allocates
 * nothing; one sampler per thread. Deterministic: the same logits and {@link RandomState} give the same
 * token, and candidates are ordered by (logit desc, index asc) so ties never depend on sort stability.
 */
public final class Sampler {
    private final SamplingConfig config;
    private final long[] keys;
    private final double[] probs;

    /** A sampler for {@code config} over vocabularies of up to {@code vocabSize} tokens. */
    public Sampler(SamplingConfig config, int vocabSize) {
        this.config = config;
        this.keys = new long[vocabSize];
        this.probs = new double[vocabSize];
    }

    /** The sampling settings. */
    public SamplingConfig config() {
        return config;
    }

    /** A token drawn from logits [offset, offset + vocab) with {@code rng} (argmax when greedy). */
    public int sample(float[] logits, int offset, int vocab, RandomState rng) {
        if (config.greedy()) {
            return argmax(logits, offset, vocab);
        }
        double invT = 1.0 / config.temperature();
        boolean filter = (config.topK() > 0 && config.topK() < vocab) || config.topP() < 1f;
        int n;
        if (filter) {
            for (int i = 0; i < vocab; i++) {
                keys[i] = sortKey(logits[offset + i], i);
            }
            Arrays.sort(keys, 0, vocab);
            n = config.topK() > 0 ? Math.min(config.topK(), vocab) : vocab;
        } else {
            n = vocab;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + index(filter, i)] * invT);
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            probs[i] = Math.exp(logits[offset + index(filter, i)] * invT - max);
            total += probs[i];
        }
        if (config.topP() < 1f) {
            // Keep the smallest prefix (by descending probability) whose mass reaches top-p; never empty.
            double kept = 0;
            int keep = 0;
            while (keep < n && kept < config.topP() * total) {
                kept += probs[keep++];
            }
            n = keep;
            total = kept;
        }
        double u = rng.nextDouble() * total;
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += probs[i];
            if (u < acc) {
                return index(filter, i);
            }
        }
        return index(filter, n - 1);
    }

    /** Index of the largest logit; the lowest index wins a tie (as torch.argmax). */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float bestValue = logits[offset];
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > bestValue) {
                bestValue = logits[offset + i];
                best = i;
            }
        }
        return best;
    }

    private int index(boolean sorted, int i) {
        return sorted ? (int) keys[i] : i;
    }

    /** A long whose ascending order is descending logit, then ascending index. */
    private static long sortKey(float logit, int index) {
        int bits = Float.floatToIntBits(logit);
        // Map floats to ints that order like the floats, then negate for descending order.
        int ordered = bits >= 0 ? bits : bits ^ 0x7fffffff;
        long descending = -(long) ordered;
        return (descending << 32) | (index & 0xffffffffL);
    }
}
