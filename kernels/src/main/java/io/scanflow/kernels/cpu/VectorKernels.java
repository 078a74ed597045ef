package io.scanflow.kernels.cpu;

import io.scanflow.model.math.Kernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD versions of the model kernels (Java Vector API), threaded on {@link CpuPool} when a call is big
 * enough to pay for it. Tested against {@link io.scanflow.model.math.ScalarKernels}: results differ only
 * by summation order and by {@link ExactMath}'s exp, whose bits, unlike the Vector API's own EXP, do not
 * depend on whether HotSpot has compiled the code yet.
 */
public final class VectorKernels implements Kernels {
    public static final VectorKernels INSTANCE = new VectorKernels();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int L = S.length();
    /** Multiply-adds below which a call stays on the caller's thread. */
    private static final long PARALLEL_WORK = 1L << 18;

    private VectorKernels() {}

    /** Weights transposed to [in, out]: a row of outputs is contiguous, so no horizontal sums. */
    @Override
    public float[] prepareLinear(float[] w, int out, int in) {
        float[] t = new float[w.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                t[i * out + o] = w[o * in + i];
            }
        }
        return t;
    }

    @Override
    public void linear(float[] x, int xOff, int xStride, int rows, int in,
                       float[] wt, float[] bias, int out, float[] y, int yOff, int yStride) {
        long work = (long) rows * in * out;
        int blocks = (out + L - 1) / L;
        if (work < PARALLEL_WORK || blocks == 1) {
            linearColumns(x, xOff, xStride, rows, in, wt, bias, out, 0, blocks, y, yOff, yStride);
            return;
        }
        // Split the output columns (in whole vectors): each task streams its columns of w once for all
        // rows. A few tasks per worker balance the load without drowning small calls in overhead.
        int parallelism = CpuPool.shared().getParallelism();
        int grain = (int) Math.max((blocks + 4L * parallelism - 1) / (4L * parallelism),
                Math.min(blocks, PARALLEL_WORK / ((long) rows * in * L)));
        CpuPool.forRange(blocks, grain, (from, to) ->
                linearColumns(x, xOff, xStride, rows, in, wt, bias, out, from, to, y, yOff, yStride));
    }

    /**
     * Output vectors [bFrom, bTo) for all rows, four rows at a time: each weight vector loaded feeds
     * four rows, each x element is broadcast once. Every output is the same sequence of FMAs over i
     * whichever rows share its call, so batching and thread count never change a bit.
     */
    private static void linearColumns(float[] x, int xOff, int xStride, int rows, int in, float[] wt, float[] bias,
                                      int out, int bFrom, int bTo, float[] y, int yOff, int yStride) {
        for (int b = bFrom; b < bTo; b++) {
            int o = b * L;
            if (o + L > out) {
                linearTail(x, xOff, xStride, rows, in, wt, bias, out, o, y, yOff, yStride);
                continue;
            }
            FloatVector bv = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, o);
            int r = 0;
            for (; r + 3 < rows; r += 4) {
                fourRows(x, xOff + r * xStride, xStride, in, wt, out, o, bv, y, yOff + r * yStride, yStride);
            }
            for (; r < rows; r++) {
                oneRow(x, xOff + r * xStride, in, wt, out, o, bv, y, yOff + r * yStride);
            }
        }
    }

    private static void fourRows(float[] x, int x0, int xStride, int in, float[] wt, int out, int o,
                                 FloatVector bias, float[] y, int y0, int yStride) {
        int x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
        for (int i = 0; i < in; i++) {
            FloatVector w = FloatVector.fromArray(S, wt, i * out + o);
            a0 = w.fma(FloatVector.broadcast(S, x[x0 + i]), a0);
            a1 = w.fma(FloatVector.broadcast(S, x[x1 + i]), a1);
            a2 = w.fma(FloatVector.broadcast(S, x[x2 + i]), a2);
            a3 = w.fma(FloatVector.broadcast(S, x[x3 + i]), a3);
        }
        a0.add(bias).intoArray(y, y0 + o);
        a1.add(bias).intoArray(y, y0 + yStride + o);
        a2.add(bias).intoArray(y, y0 + 2 * yStride + o);
        a3.add(bias).intoArray(y, y0 + 3 * yStride + o);
    }

    private static void oneRow(float[] x, int x0, int in, float[] wt, int out, int o, FloatVector bias, float[] y, int y0) {
        FloatVector a = FloatVector.zero(S);
        for (int i = 0; i < in; i++) {
            a = FloatVector.fromArray(S, wt, i * out + o).fma(FloatVector.broadcast(S, x[x0 + i]), a);
        }
        a.add(bias).intoArray(y, y0 + o);
    }

    /** The last, partial vector of outputs: the same FMA sequence in scalar form. */
    private static void linearTail(float[] x, int xOff, int xStride, int rows, int in, float[] wt, float[] bias,
                                   int out, int oFrom, float[] y, int yOff, int yStride) {
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * xStride;
            for (int o = oFrom; o < out; o++) {
                float a = 0f;
                for (int i = 0; i < in; i++) {
                    a = Math.fma(wt[i * out + o], x[xr + i], a);
                }
                y[yOff + r * yStride + o] = a + (bias == null ? 0f : bias[o]);
            }
        }
    }

    @Override
    public void siluInPlace(float[] a, int off, int n) {
        int end = off + n;
        int i = off;
        for (; i + L <= end; i += L) {
            silu(FloatVector.fromArray(S, a, i)).intoArray(a, i);
        }
        for (; i < end; i++) {
            a[i] = ExactMath.silu(a[i]);
        }
    }

    @Override
    public void siluGate(float[] y, int yOff, float[] z, int zOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, y, yOff + i).mul(silu(FloatVector.fromArray(S, z, zOff + i))).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] *= ExactMath.silu(z[zOff + i]);
        }
    }

    @Override
    public void softplusInPlace(float[] a, int off, int n) {
        int end = off + n;
        int i = off;
        for (; i + L <= end; i += L) {
            ExactMath.softplus(FloatVector.fromArray(S, a, i)).intoArray(a, i);
        }
        for (; i < end; i++) {
            a[i] = ExactMath.softplus(a[i]);
        }
    }

    private static FloatVector silu(FloatVector x) {
        return ExactMath.silu(x);
    }

    @Override
    public void selectiveScan(int channels, int stateSize, int rows,
                              float[] delta, float[] u, int rowOff, float[] z, int zOff, int zStride,
                              float[] bc, int bOff, int cOff, int bcStride,
                              float[] negA, float[] d, float[] state, int stateOff, float[] y) {
        long work = (long) channels * stateSize * rows;
        int grain = (int) Math.max(1, Math.min(channels, PARALLEL_WORK / Math.max(1L, (long) stateSize * rows)));
        if (work < PARALLEL_WORK) {
            scanChannels(0, channels, channels, stateSize, rows, delta, u, rowOff, z, zOff, zStride, bc, bOff, cOff,
                    bcStride, negA, d, state, stateOff, y);
            return;
        }
        // Channels are independent recurrences: split them across the pool.
        CpuPool.forRange(channels, grain, (from, to) -> scanChannels(from, to, channels, stateSize, rows, delta, u,
                rowOff, z, zOff, zStride, bc, bOff, cOff, bcStride, negA, d, state, stateOff, y));
    }

    /**
     * The recurrence for channels [from, to), vectorised over the state dimension N, then the gate.
     * Kept as small methods on purpose: the Vector API only compiles to SIMD when C2 inlines every
     * vector call, and one large method runs out of inlining budget and falls back to slow Java paths.
     */
    private static void scanChannels(int from, int to, int channels, int n, int rows,
                                     float[] delta, float[] u, int rowOff, float[] z, int zOff, int zStride,
                                     float[] bc, int bOff, int cOff, int bcStride,
                                     float[] negA, float[] d, float[] state, int stateOff, float[] y) {
        for (int c = from; c < to; c++) {
            scanChannel(c, channels, n, rows, delta, u, rowOff, bc, bOff, cOff, bcStride, negA, d[c], state,
                    stateOff + c * n, y);
        }
        for (int t = 0; t < rows; t++) {
            INSTANCE.siluGate(y, rowOff + t * channels + from, z, zOff + t * zStride + from, to - from);
        }
    }

    private static void scanChannel(int c, int channels, int n, int rows, float[] delta, float[] u, int rowOff,
                                    float[] bc, int bOff, int cOff, int bcStride, float[] negA, float dSkip,
                                    float[] state, int sc, float[] y) {
        int ac = c * n;
        for (int t = 0; t < rows; t++) {
            int i = rowOff + t * channels + c;
            float dt = delta[i];
            float x = u[i];
            y[i] = stateUpdate(n, dt, dt * x, negA, ac, bc, bOff + t * bcStride, cOff + t * bcStride, state, sc)
                    + dSkip * x;
        }
    }

    /** s = exp(dt A) s + (dt x) B over the N states of one channel; returns sum_n s C. */
    private static float stateUpdate(int n, float dt, float dtX, float[] negA, int ac, float[] bc, int b, int cc,
                                     float[] state, int sc) {
        int vecEnd = n - n % L;
        float acc = 0f;
        int j = 0;
        if (vecEnd > 0) {
            FloatVector yAcc = FloatVector.zero(S);
            for (; j < vecEnd; j += L) {
                FloatVector dA = ExactMath.exp(FloatVector.fromArray(S, negA, ac + j).mul(dt));
                FloatVector s = dA.mul(FloatVector.fromArray(S, state, sc + j))
                        .add(FloatVector.fromArray(S, bc, b + j).mul(dtX));
                s.intoArray(state, sc + j);
                yAcc = s.fma(FloatVector.fromArray(S, bc, cc + j), yAcc);
            }
            acc = yAcc.reduceLanes(VectorOperators.ADD);
        }
        for (; j < n; j++) {
            float dA = ExactMath.exp(dt * negA[ac + j]);
            float s = dA * state[sc + j] + dtX * bc[b + j];
            state[sc + j] = s;
            acc += s * bc[cc + j];
        }
        return acc;
    }
}
