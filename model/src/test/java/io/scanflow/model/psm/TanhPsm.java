package io.scanflow.model.psm;

import java.util.List;
import java.util.Random;

/**
 * A small learned-looking PSM whose {@code Agg} is deliberately non-associative:
 * {@code Agg(l, r) = tanh(W [l; r] + w0)} over float vectors, with {@code e} not neutral.
 * {@code Enc} and {@code Inf} are small tanh recurrences (so {@code Inf} is causal and accepts
 * partial chunks). {@code StrictMath.tanh} keeps every call bit-reproducible.
 */
final class TanhPsm implements PrefixScannableModel<float[], float[], float[][]> {

    static final int STATE = 4;
    static final int INPUT = 2;

    private final int chunkSize;
    private final float[][] aggW = new float[STATE][2 * STATE];
    private final float[] aggBias = new float[STATE];
    private final float[][] encW = new float[STATE][STATE + INPUT];
    private final float[][] infW = new float[STATE][STATE + INPUT];
    private final float[] identity = new float[STATE];

    TanhPsm(int chunkSize, long seed) {
        this.chunkSize = chunkSize;
        Random random = new Random(seed);
        fill(aggW, random, 0.9f);
        fill(encW, random, 0.9f);
        fill(infW, random, 0.9f);
        for (int i = 0; i < STATE; i++) {
            aggBias[i] = (float) random.nextGaussian() * 0.3f;
            identity[i] = (float) random.nextGaussian() * 0.5f;
        }
    }

    private static void fill(float[][] m, Random random, float scale) {
        for (float[] row : m) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) random.nextGaussian() * scale;
            }
        }
    }

    /** A random input element. */
    static float[] element(Random random) {
        float[] x = new float[INPUT];
        for (int i = 0; i < INPUT; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    /** A random state. */
    static float[] state(Random random) {
        float[] s = new float[STATE];
        for (int i = 0; i < STATE; i++) {
            s[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return s;
    }

    @Override
    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public float[] identity() {
        return identity;
    }

    @Override
    public float[] encode(List<float[]> chunk) {
        float[] h = new float[STATE];
        for (float[] x : chunk) {
            h = layer(encW, null, h, x);
        }
        return h;
    }

    @Override
    public float[] aggregate(float[] left, float[] right) {
        return layer(aggW, aggBias, left, right);
    }

    @Override
    public float[][] infer(float[] prefix, List<float[]> chunk) {
        float[][] out = new float[chunk.size()][];
        float[] h = prefix;
        for (int t = 0; t < chunk.size(); t++) {
            h = layer(infW, null, h, chunk.get(t));
            out[t] = h;
        }
        return out;
    }

    @Override
    public boolean acceptsPartialChunk() {
        return true;
    }

    /** {@code tanh(W [u; v] + bias)}, float accumulation in a fixed order. */
    private static float[] layer(float[][] w, float[] bias, float[] u, float[] v) {
        float[] out = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            float acc = bias == null ? 0f : bias[i];
            float[] row = w[i];
            for (int j = 0; j < u.length; j++) {
                acc += row[j] * u[j];
            }
            for (int j = 0; j < v.length; j++) {
                acc += row[u.length + j] * v[j];
            }
            out[i] = (float) StrictMath.tanh(acc);
        }
        return out;
    }
}
