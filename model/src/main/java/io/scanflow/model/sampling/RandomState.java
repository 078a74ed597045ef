package io.scanflow.model.sampling;

/**
 * A tiny, explicit random generator (SplitMix64) whose whole state is one long. It lives in Flink keyed
 * state next to the model state, so a restored stream draws exactly the samples it would have drawn.
 */
public final class RandomState {
    private long state;

    /** A generator started from {@code seed}. */
    public RandomState(long seed) {
        this.state = seed;
    }

    /** The complete state; {@code new RandomState(s.state())} continues the same sequence. */
    public long state() {
        return state;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}
