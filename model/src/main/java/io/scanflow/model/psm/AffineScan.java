package io.scanflow.model.psm;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * {@link ParallelScan} specialised to the affine PSM with chunk size 1, over flat float arrays:
 * the same tree, the same bracket order and the same float operations per channel, so the same
 * bits as {@code ParallelScan} on {@code new AffinePsm(1, width)}, without an object or a
 * temporary per {@code Agg}. Each level is written into arrays allocated once per level (the
 * down-sweep reuses two buffers for all levels above the leaves).
 *
 * <p>Layout: element {@code t}, channel {@code k} at index {@code t * width + k}.
 */
public final class AffineScan {

    /** Floats of work worth a separate task. */
    private static final int MIN_FLOATS_PER_TASK = 1 << 14;

    private final Executor executor;
    private final int parallelism;

    /** A scan that runs its parallel parts on {@code executor} in up to {@code parallelism} pieces. */
    public AffineScan(Executor executor, int parallelism) {
        this.executor = Objects.requireNonNull(executor, "executor");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        this.parallelism = parallelism;
    }

    /** A scan on {@code pool}, as many pieces as the pool's parallelism. */
    public static AffineScan onPool(ForkJoinPool pool) {
        return new AffineScan(pool, pool.getParallelism());
    }

    /** A scan on the caller's thread only. */
    public static AffineScan sequential() {
        return new AffineScan(Runnable::run, 1);
    }

    /**
     * Exclusive prefix states of {@code n} elements.
     *
     * @param a     {@code [n * width]} multipliers (read only)
     * @param b     {@code [n * width]} offsets (read only)
     * @param n     element count, at least 1
     * @param width channels per element
     * @return prefix states {@code s_0..s_n}; {@code s_0 = (1, 0)} and {@code s_t.b} is the hidden
     *         state after {@code t} elements from {@code h = 0}
     */
    public Prefixes prefixes(float[] a, float[] b, int n, int width) {
        if (n < 1 || width < 1) {
            throw new IllegalArgumentException("n and width must be >= 1, got " + n + " and " + width);
        }
        long size = (long) n * width;
        if (a.length != size || b.length != size) {
            throw new IllegalArgumentException("a and b need n * width = " + size + " floats, got "
                    + a.length + " and " + b.length);
        }
        LevelRunner runner = new LevelRunner(executor, parallelism, Math.max(1, MIN_FLOATS_PER_TASK / width));
        int height = ScanTree.height(n);

        // Up-sweep: level 0 is the input; level l has floor(n / 2^l) complete nodes.
        float[][] upA = new float[height][];
        float[][] upB = new float[height][];
        upA[0] = a;
        upB[0] = b;
        for (int l = 1; l < height; l++) {
            float[] belowA = upA[l - 1];
            float[] belowB = upB[l - 1];
            float[] levelA = new float[(n >> l) * width];
            float[] levelB = new float[(n >> l) * width];
            runner.run(n >> l, j -> compose(belowA, belowB, 2 * j, belowA, belowB, 2 * j + 1,
                    levelA, levelB, j, width));
            upA[l] = levelA;
            upB[l] = levelB;
        }

        // Down-sweep over positions 0..n; the root gets (1, 0).
        float[] parentA = new float[width];
        float[] parentB = new float[width];
        Arrays.fill(parentA, 1f);
        int bufferNodes = (n >> 1) + 1;
        float[][] bufferA = {new float[bufferNodes * width], new float[bufferNodes * width]};
        float[][] bufferB = {new float[bufferNodes * width], new float[bufferNodes * width]};
        float[] outA = new float[(n + 1) * width];
        float[] outB = new float[(n + 1) * width];
        for (int l = height - 1; l >= 0; l--) {
            float[] pA = parentA;
            float[] pB = parentB;
            float[] uA = upA[l];
            float[] uB = upB[l];
            float[] cA = l == 0 ? outA : bufferA[l & 1];
            float[] cB = l == 0 ? outB : bufferB[l & 1];
            runner.run((n >> l) + 1, j -> {
                if ((j & 1) == 0) {
                    System.arraycopy(pA, (j >> 1) * width, cA, j * width, width);
                    System.arraycopy(pB, (j >> 1) * width, cB, j * width, width);
                } else {
                    compose(pA, pB, j >> 1, uA, uB, j - 1, cA, cB, j, width);
                }
            });
            parentA = cA;
            parentB = cB;
        }
        return new Prefixes(n, width, outA, outB);
    }

    /** {@code out[o] = left[l] o right[r]}, the float operations of {@link AffinePair#composeInto}. */
    private static void compose(float[] leftA, float[] leftB, int l, float[] rightA, float[] rightB, int r,
                                float[] outA, float[] outB, int o, int width) {
        int li = l * width;
        int ri = r * width;
        int oi = o * width;
        for (int k = 0; k < width; k++) {
            float a1 = leftA[li + k];
            float b1 = leftB[li + k];
            float a2 = rightA[ri + k];
            float b2 = rightB[ri + k];
            outA[oi + k] = a1 * a2;
            outB[oi + k] = a2 * b1 + b2;
        }
    }

    /**
     * Prefix states {@code s_0..s_n} of {@link #prefixes}, flat: state {@code t}, channel
     * {@code k} at {@code t * width + k}.
     *
     * @param n     element count
     * @param width channels
     * @param a     {@code [(n + 1) * width]}
     * @param b     {@code [(n + 1) * width]}: the hidden states from {@code h = 0}
     */
    public record Prefixes(int n, int width, float[] a, float[] b) {

        /** State {@code s_t} as a pair (copied out). */
        public AffinePair state(int t) {
            int from = t * width;
            return AffinePair.of(Arrays.copyOfRange(a, from, from + width), Arrays.copyOfRange(b, from, from + width));
        }
    }
}
