package io.scanflow.kernels.cpu;

import io.scanflow.model.math.Kernels;
import io.scanflow.model.math.Ops;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD versions of the model kernels (Java Vector API), threaded on {@link CpuPool} when a call is big
 * enough to pay for it. Tested against {@link io.scanflow.model.math.ScalarKernels}: results differ only
 * by summation order (lanes, accumulators) and the vector exp's rounding.
 */
public final class VectorKernels implements Kernels {
    public static final VectorKernels INSTANCE = new VectorKernels();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Multiply-adds below which a call stays on the caller's thread. */
    private static final long PARALLEL_WORK = 1L << 18;

    private VectorKernels() {}

    @Override
    public void linear(float[] x, int xOff, int xStride, int rows, int in,
                       float[] w, float[] bias, int out, float[] y, int yOff, int yStride) {
        long work = (long) rows * in * out;
        if (work < PARALLEL_WORK) {
            linearTiled(x, xOff, xStride, rows, in, w, bias, 0, out, y, yOff, yStride);
            return;
        }
        // Split the output columns: every task streams its slice of w once for all rows. A few tasks
        // per worker balance the load without drowning small calls in task overhead.
        int perWorker = (out + 4 * CpuPool.shared().getParallelism() - 1) / (4 * CpuPool.shared().getParallelism());
        int grain = (int) Math.max(perWorker, Math.min(out, PARALLEL_WORK / ((long) rows * in)));
        CpuPool.forRange(out, grain, (from, to) -> linearTiled(x, xOff, xStride, rows, in, w, bias, from, to, y, yOff, yStride));
    }

    /** Output tiles small enough to stay in L2 while every row block passes over them. */
    private static void linearTiled(float[] x, int xOff, int xStride, int rows, int in,
                                    float[] w, float[] bias, int oFrom, int oTo, float[] y, int yOff, int yStride) {
        int tile = Math.max(4, (64 * 1024) / (4 * Math.max(1, in)));
        for (int o = oFrom; o < oTo; o += tile) {
            linearBlock(x, xOff, xStride, rows, in, w, bias, o, Math.min(oTo, o + tile), y, yOff, yStride);
        }
    }

    /** Rows four at a time so each weight vector loaded feeds four rows. */
    private static void linearBlock(float[] x, int xOff, int xStride, int rows, int in,
                                    float[] w, float[] bias, int oFrom, int oTo, float[] y, int yOff, int yStride) {
        int vecEnd = in - in % L;
        int r = 0;
        for (; r + 3 < rows; r += 4) {
            int x0 = xOff + r * xStride, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
            for (int o = oFrom; o < oTo; o++) {
                int wo = o * in;
                FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
                for (int i = 0; i < vecEnd; i += L) {
                    FloatVector wv = FloatVector.fromArray(S, w, wo + i);
                    a0 = FloatVector.fromArray(S, x, x0 + i).fma(wv, a0);
                    a1 = FloatVector.fromArray(S, x, x1 + i).fma(wv, a1);
                    a2 = FloatVector.fromArray(S, x, x2 + i).fma(wv, a2);
                    a3 = FloatVector.fromArray(S, x, x3 + i).fma(wv, a3);
                }
                float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
                float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
                for (int i = vecEnd; i < in; i++) {
                    float wv = w[wo + i];
                    s0 += x[x0 + i] * wv;
                    s1 += x[x1 + i] * wv;
                    s2 += x[x2 + i] * wv;
                    s3 += x[x3 + i] * wv;
                }
                float b = bias == null ? 0f : bias[o];
                int yr = yOff + r * yStride + o;
                y[yr] = s0 + b;
                y[yr + yStride] = s1 + b;
                y[yr + 2 * yStride] = s2 + b;
                y[yr + 3 * yStride] = s3 + b;
            }
        }
        for (; r < rows; r++) {
            int xr = xOff + r * xStride;
            for (int o = oFrom; o < oTo; o++) {
                y[yOff + r * yStride + o] = dot(x, xr, w, o * in, in) + (bias == null ? 0f : bias[o]);
            }
        }
    }

    /**
     * The same summation as one row of the four-row block (one vector accumulator, then the scalar tail),
     * so a row's result never depends on how many rows share its call: batching and thread count leave
     * outputs bit-identical, which exactly-once replay relies on.
     */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(S);
        int vecEnd = n - n % L;
        for (int i = 0; i < vecEnd; i += L) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (int i = vecEnd; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    @Override
    public void siluInPlace(float[] a, int off, int n) {
        int end = off + n;
        int i = off;
        for (; i + L <= end; i += L) {
            silu(FloatVector.fromArray(S, a, i)).intoArray(a, i);
        }
        for (; i < end; i++) {
            a[i] = Ops.silu(a[i]);
        }
    }

    @Override
    public void siluGate(float[] y, int yOff, float[] z, int zOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, y, yOff + i).mul(silu(FloatVector.fromArray(S, z, zOff + i))).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] *= Ops.silu(z[zOff + i]);
        }
    }

    @Override
    public void softplusInPlace(float[] a, int off, int n) {
        int end = off + n;
        int i = off;
        for (; i + L <= end; i += L) {
            FloatVector x = FloatVector.fromArray(S, a, i);
            FloatVector soft = x.lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P);
            soft.blend(x, x.compare(VectorOperators.GT, 20f)).intoArray(a, i);
        }
        for (; i < end; i++) {
            a[i] = Ops.softplus(a[i]);
        }
    }

    private static FloatVector silu(FloatVector x) {
        return x.div(x.neg().lanewise(VectorOperators.EXP).add(1f));
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

    /** The recurrence for channels [from, to), vectorised over the state dimension N. */
    private static void scanChannels(int from, int to, int channels, int n, int rows,
                                     float[] delta, float[] u, int rowOff, float[] z, int zOff, int zStride,
                                     float[] bc, int bOff, int cOff, int bcStride,
                                     float[] negA, float[] d, float[] state, int stateOff, float[] y) {
        int vecEnd = n - n % L;
        for (int c = from; c < to; c++) {
            int sc = stateOff + c * n;
            int ac = c * n;
            for (int t = 0; t < rows; t++) {
                int i = rowOff + t * channels + c;
                float dt = delta[i];
                float x = u[i];
                float dtX = dt * x;
                int b = bOff + t * bcStride;
                int cc = cOff + t * bcStride;
                FloatVector yAcc = FloatVector.zero(S);
                int j = 0;
                for (; j < vecEnd; j += L) {
                    FloatVector dA = FloatVector.fromArray(S, negA, ac + j).mul(dt).lanewise(VectorOperators.EXP);
                    FloatVector s = dA.mul(FloatVector.fromArray(S, state, sc + j))
                            .add(FloatVector.fromArray(S, bc, b + j).mul(dtX));
                    s.intoArray(state, sc + j);
                    yAcc = s.fma(FloatVector.fromArray(S, bc, cc + j), yAcc);
                }
                float acc = yAcc.reduceLanes(VectorOperators.ADD);
                for (; j < n; j++) {
                    float dA = (float) Math.exp(dt * negA[ac + j]);
                    float s = dA * state[sc + j] + dtX * bc[b + j];
                    state[sc + j] = s;
                    acc += s * bc[cc + j];
                }
                y[i] = acc + d[c] * x;
            }
        }
        // The gate, vectorised along the channels of each row.
        for (int t = 0; t < rows; t++) {
            int row = rowOff + t * channels;
            int zr = zOff + t * zStride;
            int c = from;
            for (; c + L <= to; c += L) {
                FloatVector.fromArray(S, y, row + c).mul(silu(FloatVector.fromArray(S, z, zr + c))).intoArray(y, row + c);
            }
            for (; c < to; c++) {
                y[row + c] *= Ops.silu(z[zr + c]);
            }
        }
    }
}
