package io.scanflow.model.psm;

import java.util.ArrayList;
import java.util.List;

/**
 * The affine PSM: a diagonal linear recurrence {@code h_t = a_t * h_{t-1} + b_t} (per channel,
 * element-wise) seen as a prefix-scannable model. Elements and states are {@link AffinePair}s;
 * {@code Agg} is composition {@code (a1, b1) o (a2, b2) = (a1 a2, a2 b1 + b2)}, which is
 * associative, so any bracketing gives the same recurrence up to float rounding. Mamba's selective
 * scan is this recurrence with {@code a = exp(delta * A)}, {@code b = delta * B * x} over
 * {@code d_inner * N} channels (see {@link #discretize}).
 *
 * <ul>
 *   <li>{@code e = (1, 0)}.</li>
 *   <li>{@code Enc(chunk)} = the chunk's elements composed left to right,
 *       {@code ((x_1 o x_2) o x_3) ...}: the same float operations as running the recurrence
 *       over the chunk.</li>
 *   <li>{@code Inf(prefix, chunk)} = the hidden states {@code h_t} after each element of the
 *       chunk, starting from {@code h = prefix.b} (the state from {@code h_{-1} = 0}); shape
 *       {@code [chunk length][width]}. Partial chunks are accepted (the recurrence is causal).</li>
 * </ul>
 *
 * <p>Float rounding: composition is associative only in exact arithmetic. A bracketing of
 * {@code n} elements computes every term {@code b_t * prod_{s > t} a_s} of {@code h_n} with at
 * most {@code 2n} roundings (products of a's, one multiply and one add per tree level), so with
 * unit roundoff {@code u = 2^-24} and {@code gamma_k = k u / (1 - k u)}:
 * {@code |h_n(bracketing) - h_n(exact)| <= gamma_{2n} * M_n}, where
 * {@code M_n = sum_t |b_t| prod_{s > t} |a_s|} (the recurrence run on absolute values). Two
 * bracketings thus differ by at most {@code 2 gamma_{2n} M_n}, about {@code 4 n u M_n}; that is the
 * tolerance the tests use. Bit-identical results need the same bracket order, which is what
 * {@link ParallelScan} and {@link StreamingScan} share.
 */
public final class AffinePsm implements PrefixScannableModel<AffinePair, AffinePair, float[][]> {

    private final int chunkSize;
    private final int width;
    private final AffinePair identity;

    /**
     * @param chunkSize {@code c}
     * @param width     channels per element (for Mamba: {@code d_inner * N})
     */
    public AffinePsm(int chunkSize, int width) {
        if (chunkSize < 1 || width < 1) {
            throw new IllegalArgumentException("chunk size and width must be >= 1, got " + chunkSize + " and " + width);
        }
        this.chunkSize = chunkSize;
        this.width = width;
        this.identity = AffinePair.identity(width);
    }

    @Override
    public int chunkSize() {
        return chunkSize;
    }

    /** Lanes of the model's states. */
    public int width() {
        return width;
    }

    @Override
    public AffinePair identity() {
        return identity;
    }

    @Override
    public AffinePair encode(List<AffinePair> chunk) {
        AffinePair acc = checkWidth(chunk.get(0)).copy();
        for (int t = 1; t < chunk.size(); t++) {
            AffinePair.composeInto(acc, checkWidth(chunk.get(t)), acc);
        }
        return acc;
    }

    @Override
    public AffinePair aggregate(AffinePair left, AffinePair right) {
        return AffinePair.compose(left, right);
    }

    /** Hidden states after each element, {@code [chunk.size()][width]}, from {@code h = prefix.b}. */
    @Override
    public float[][] infer(AffinePair prefix, List<AffinePair> chunk) {
        float[] h = prefix.b().clone();
        float[][] out = new float[chunk.size()][];
        for (int t = 0; t < chunk.size(); t++) {
            step(h, checkWidth(chunk.get(t)));
            out[t] = h.clone();
        }
        return out;
    }

    @Override
    public boolean acceptsPartialChunk() {
        return true;
    }

    /**
     * The hidden state after a prefix when the recurrence started from {@code h0} instead of 0:
     * {@code prefix.a * h0 + prefix.b} (composition with a leading element {@code (0, h0)}).
     */
    public static float[] hidden(AffinePair prefix, float[] h0) {
        float[] a = prefix.a();
        float[] b = prefix.b();
        float[] h = new float[a.length];
        for (int k = 0; k < a.length; k++) {
            h[k] = a[k] * h0[k] + b[k];
        }
        return h;
    }

    /**
     * The reference: the recurrence run one element at a time, nothing clever.
     *
     * @param elements {@code x_1..x_n}
     * @param h0       the state before {@code x_1}
     * @return {@code h_1..h_n}, shape {@code [n][width]}
     */
    public static float[][] sequential(List<AffinePair> elements, float[] h0) {
        float[] h = h0.clone();
        float[][] out = new float[elements.size()][];
        for (int t = 0; t < elements.size(); t++) {
            step(h, elements.get(t));
            out[t] = h.clone();
        }
        return out;
    }

    /** {@code h = a * h + b} in place: the same float operations as composing {@code (A, h) o (a, b)}. */
    private static void step(float[] h, AffinePair x) {
        float[] a = x.a();
        float[] b = x.b();
        for (int k = 0; k < h.length; k++) {
            h[k] = a[k] * h[k] + b[k];
        }
    }

    /**
     * One Mamba token's element from arrays already discretised (wrapped, not copied), both of
     * shape {@code [d_inner * N]}, index {@code d * N + n}.
     *
     * @param dA  {@code exp(delta[d] * A[d, n])}
     * @param dBu {@code delta[d] * B[n] * x[d]}
     */
    public static AffinePair fromDiscretized(float[] dA, float[] dBu) {
        return AffinePair.of(dA, dBu);
    }

    /**
     * One Mamba token's element from the selective-SSM inputs, channel {@code d * N + n}:
     * {@code a = exp(delta[d] * A[d, n])}, {@code b = (delta[d] * B[n]) * x[d]}.
     * The products are float; {@code exp} is {@link Math#exp} on the float product, rounded once
     * to float. The order {@code (delta * B) * x} is the one of the Hugging Face reference path
     * ({@code discrete_B * hidden_states}); another order may differ in the last bit.
     *
     * @param delta  {@code [d_inner]}, after softplus
     * @param a      {@code A = -exp(A_log)}, {@code [d_inner * N]}
     * @param b      {@code B} for this token, {@code [N]}
     * @param x      the SSM input for this token, {@code [d_inner]}
     * @param dInner {@code d_inner}
     * @param dState {@code N}
     */
    public static AffinePair discretize(float[] delta, float[] a, float[] b, float[] x, int dInner, int dState) {
        checkLength("delta", delta, dInner);
        checkLength("A", a, (long) dInner * dState);
        checkLength("B", b, dState);
        checkLength("x", x, dInner);
        return discretize(delta, 0, a, b, 0, x, 0, dInner, dState);
    }

    /**
     * {@link #discretize} for every token of a sequence laid out token-major.
     *
     * @param delta {@code [L * d_inner]}
     * @param a     {@code [d_inner * N]}
     * @param b     {@code [L * N]}
     * @param x     {@code [L * d_inner]}
     * @return {@code L} elements, each of width {@code d_inner * N}
     */
    public static List<AffinePair> discretizeSequence(float[] delta, float[] a, float[] b, float[] x,
                                                      int length, int dInner, int dState) {
        checkLength("delta", delta, (long) length * dInner);
        checkLength("A", a, (long) dInner * dState);
        checkLength("B", b, (long) length * dState);
        checkLength("x", x, (long) length * dInner);
        List<AffinePair> out = new ArrayList<>(length);
        for (int t = 0; t < length; t++) {
            out.add(discretize(delta, t * dInner, a, b, t * dState, x, t * dInner, dInner, dState));
        }
        return out;
    }

    private static AffinePair discretize(float[] delta, int deltaOff, float[] a, float[] b, int bOff,
                                         float[] x, int xOff, int dInner, int dState) {
        float[] dA = new float[dInner * dState];
        float[] dBu = new float[dInner * dState];
        for (int d = 0; d < dInner; d++) {
            float dt = delta[deltaOff + d];
            float u = x[xOff + d];
            for (int n = 0; n < dState; n++) {
                int i = d * dState + n;
                dA[i] = (float) Math.exp(dt * a[i]);
                dBu[i] = (dt * b[bOff + n]) * u;
            }
        }
        return AffinePair.of(dA, dBu);
    }

    private AffinePair checkWidth(AffinePair x) {
        if (x.width() != width) {
            throw new IllegalArgumentException("affine element of width " + x.width() + ", the model's is " + width);
        }
        return x;
    }

    private static void checkLength(String name, float[] array, long expected) {
        if (array.length != expected) {
            throw new IllegalArgumentException(name + " has " + array.length + " floats, expected " + expected);
        }
    }
}
