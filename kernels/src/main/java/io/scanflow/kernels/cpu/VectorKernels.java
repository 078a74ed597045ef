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
 *
 * <p>In this package a scalar enters vector code only as {@code FloatVector.broadcast(S, x)}, with the
 * species a constant, never as {@code v.add(1f)}: that form takes the species from the vector, and when C2
 * inlines it deep into a large caller it can fail to compile the broadcast to SIMD, leaving a vector built
 * on the heap for every call.
 */
public final class VectorKernels implements Kernels {
    /** The kernels (stateless; per-thread scratch). */
    public static final VectorKernels INSTANCE = new VectorKernels();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Multiply-adds below which a call stays on the caller's thread. */
    static final long PARALLEL_WORK = 1L << 18;
    /** Keys per thread at least in {@link #forKeys}: a key's conv, scan and norms are tens of microseconds. */
    private static final int KEYS_PER_THREAD = 2;

    private VectorKernels() {}

    /** Weights packed into panels of output columns ({@link PanelGemm}). */
    @Override
    public float[] prepareLinear(float[] w, int out, int in) {
        return PanelGemm.pack(w, out, in);
    }

    @Override
    public void linear(float[] x, int xOff, int xStride, int rows, int in,
                       float[] wp, float[] bias, int out, float[] y, int yOff, int yStride) {
        long work = (long) rows * in * out;
        int panels = PanelGemm.panels(out);
        Scratch scratch = Scratch.get();
        if (work < PARALLEL_WORK) {
            PanelGemm.run(x, xOff, xStride, rows, in, wp, bias, out, 0, panels, y, yOff, yStride, scratch.panelRows);
            return;
        }
        int tasks = scratch.linearJob.set(x, xOff, xStride, rows, in, wp, bias, out, y, yOff, yStride,
                CpuPool.parallelism());
        CpuPool.forRange(tasks, 1, scratch.linearJob);
        scratch.linearJob.clear();
    }

    /**
     * Lanes = channels, weights transposed to [K, channels] and kept per thread while the same weight array
     * comes back ({@link Scratch#convWeights}). Per output: bias, then + w_k x_k from k = 0 up, a multiply then
     * an add as the scalar loop does, so the same bits.
     */
    @Override
    public void convRows(float[] in, int inOffset, int inStride, float[] out, int outOffset, int outStride,
                         int rows, int channels, int kernel, float[] weight, float[] bias) {
        float[] wt = Scratch.get().convWeights(weight, channels, kernel);
        int vecEnd = channels - channels % L;
        for (int t = 0; t < rows; t++) {
            int i0 = inOffset + t * inStride;
            int o = outOffset + t * outStride;
            for (int c = 0; c < vecEnd; c += L) {
                convVector(in, i0, inStride, wt, channels, kernel, bias, c, out, o);
            }
            for (int c = vecEnd; c < channels; c++) {
                float acc = bias == null ? 0f : bias[c];
                for (int k = 0; k < kernel; k++) {
                    acc += wt[k * channels + c] * in[i0 + k * inStride + c];
                }
                out[o + c] = acc;
            }
        }
    }

    private static void convVector(float[] in, int i0, int inStride, float[] wt, int channels, int kernel,
                                   float[] bias, int c, float[] out, int o) {
        FloatVector acc = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, c);
        for (int k = 0; k < kernel; k++) {
            acc = acc.add(FloatVector.fromArray(S, wt, k * channels + c).mul(FloatVector.fromArray(S, in, i0 + k * inStride + c)));
        }
        acc.intoArray(out, o + c);
    }

    /**
     * The window kept time-major, [K-1, channels] (oldest first), so that each tap is one contiguous load
     * and the slide is a copy of vectors: in the portable [channels, K-1] order each tap was a gather and
     * each new input a store of its own, which took longer than the sums. Per output the same sums as the
     * scalar loop (bias, then + w_k x_k from k = 0 up, a multiply then an add), so the same bits.
     */
    @Override
    public void convStep(float[] in, int inOffset, float[] out, int outOffset, float[] window, int windowOffset,
                         int channels, int kernel, float[] weight, float[] bias) {
        int keep = kernel - 1;
        float[] wt = Scratch.get().convWeights(weight, channels, kernel);
        int vecEnd = channels - channels % L;
        for (int c = 0; c < vecEnd; c += L) {
            convStepVector(in, inOffset, wt, channels, keep, bias, c, window, windowOffset + c, out, outOffset);
        }
        for (int c = vecEnd; c < channels; c++) {
            int w = windowOffset + c;
            float x = in[inOffset + c];
            float acc = bias == null ? 0f : bias[c];
            for (int k = 0; k < keep; k++) {
                float older = window[w + k * channels];
                acc += wt[k * channels + c] * older;
                if (k > 0) {
                    window[w + (k - 1) * channels] = older;
                }
            }
            out[outOffset + c] = acc + wt[keep * channels + c] * x;
            if (keep > 0) {
                window[w + (keep - 1) * channels] = x;
            }
        }
    }

    /** Channels [c, c + L); the window's slot of tap k and channel c is {@code w + k * channels}. */
    private static void convStepVector(float[] in, int inOffset, float[] wt, int channels, int keep, float[] bias,
                                       int c, float[] window, int w, float[] out, int outOffset) {
        FloatVector acc = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, c);
        for (int k = 0; k < keep; k++) {
            FloatVector older = FloatVector.fromArray(S, window, w + k * channels);
            acc = acc.add(FloatVector.fromArray(S, wt, k * channels + c).mul(older));
            if (k > 0) {
                older.intoArray(window, w + (k - 1) * channels);
            }
        }
        FloatVector x = FloatVector.fromArray(S, in, inOffset + c);
        if (keep > 0) {
            x.intoArray(window, w + (keep - 1) * channels);
        }
        acc.add(FloatVector.fromArray(S, wt, keep * channels + c).mul(x)).intoArray(out, outOffset + c);
    }

    /** [K-1, channels] (this backend's window) to [channels, K-1]. */
    @Override
    public void convWindowToPortable(float[] window, int off, int channels, int keep, float[] portable, int portableOff) {
        transpose(window, off, keep, channels, portable, portableOff);
    }

    @Override
    public void convWindowFromPortable(float[] portable, int portableOff, int channels, int keep, float[] window, int off) {
        transpose(portable, portableOff, channels, keep, window, off);
    }

    /** dst[c, r] = src[r, c] for a rows x cols matrix; the two may be the same region (a per-thread copy is read). */
    private static void transpose(float[] src, int srcOff, int rows, int cols, float[] dst, int dstOff) {
        float[] copy = Scratch.get().transposeCopy(rows * cols);
        System.arraycopy(src, srcOff, copy, 0, rows * cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[dstOff + c * rows + r] = copy[r * cols + c];
            }
        }
    }

    /**
     * Squares summed in float lanes with FMA (the reference sums in double, one by one: a relative
     * difference near 1e-7 in the scale), then the same scale and the same two products per element.
     */
    @Override
    public void rmsNorm(float[] x, int xOff, float[] weight, float eps, float[] y, int yOff, int rows, int n) {
        int vecEnd = n - n % L;
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * n;
            int yr = yOff + r * n;
            FloatVector squares = FloatVector.zero(S);
            for (int i = 0; i < vecEnd; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xr + i);
                squares = v.fma(v, squares);
            }
            float sumSq = squares.reduceLanes(VectorOperators.ADD);
            for (int i = vecEnd; i < n; i++) {
                sumSq = Math.fma(x[xr + i], x[xr + i], sumSq);
            }
            float scale = (float) (1.0 / Math.sqrt((double) sumSq / n + eps));
            FloatVector vScale = FloatVector.broadcast(S, scale);
            for (int i = 0; i < vecEnd; i += L) {
                FloatVector.fromArray(S, x, xr + i).mul(vScale).mul(FloatVector.fromArray(S, weight, i)).intoArray(y, yr + i);
            }
            for (int i = vecEnd; i < n; i++) {
                y[yr + i] = x[xr + i] * scale * weight[i];
            }
        }
    }

    // The activations run in pieces: exponentials into a per-thread buffer first (ExactMath.expArray), then
    // the rest. The same operations as ExactMath's vector and scalar twins, so the same bits.

    @Override
    public void siluInPlace(float[] a, int off, int n) {
        float[] e = Scratch.get().exp;
        for (int p = 0; p < n; p += e.length) {
            int m = Math.min(e.length, n - p);
            int o = off + p;
            ExactMath.expArray(a, o, e, 0, m, ExactMath.EXP_NEG);
            int i = 0;
            for (; i + L <= m; i += L) {
                FloatVector x = FloatVector.fromArray(S, a, o + i);
                x.div(FloatVector.fromArray(S, e, i).add(FloatVector.broadcast(S, 1f))).intoArray(a, o + i);
            }
            for (; i < m; i++) {
                a[o + i] = a[o + i] / (1f + e[i]);
            }
        }
    }

    @Override
    public void siluGate(float[] y, int yOff, float[] z, int zOff, int n) {
        float[] e = Scratch.get().exp;
        for (int p = 0; p < n; p += e.length) {
            int m = Math.min(e.length, n - p);
            int yo = yOff + p, zo = zOff + p;
            ExactMath.expArray(z, zo, e, 0, m, ExactMath.EXP_NEG);
            int i = 0;
            for (; i + L <= m; i += L) {
                FloatVector silu = FloatVector.fromArray(S, z, zo + i)
                        .div(FloatVector.fromArray(S, e, i).add(FloatVector.broadcast(S, 1f)));
                FloatVector.fromArray(S, y, yo + i).mul(silu).intoArray(y, yo + i);
            }
            for (; i < m; i++) {
                y[yo + i] *= z[zo + i] / (1f + e[i]);
            }
        }
    }

    @Override
    public void softplusInPlace(float[] a, int off, int n) {
        float[] e = Scratch.get().exp;
        for (int p = 0; p < n; p += e.length) {
            int m = Math.min(e.length, n - p);
            int o = off + p;
            ExactMath.expArray(a, o, e, 0, m, ExactMath.EXP_NEG_ABS);
            ExactMath.softplusGivenExp(a, o, e, m);
        }
    }

    @Override
    public void selectiveScan(int channels, int stateSize, int rows,
                              float[] delta, float[] u, int rowOff, float[] z, int zOff, int zStride,
                              float[] bc, int bOff, int cOff, int bcStride,
                              float[] negA, float[] d, float[] state, int stateOff, float[] y) {
        long work = (long) channels * stateSize * rows;
        int blocks = (channels + L - 1) / L;
        Scratch scratch = Scratch.get();
        if (work < PARALLEL_WORK || blocks == 1) {
            Scan.channels(0, channels, channels, stateSize, rows, delta, u, rowOff, z, zOff, zStride, bc, bOff, cOff,
                    bcStride, negA, d, state, stateOff, y, scratch.scanDecays(stateSize));
            return;
        }
        // Channels are independent recurrences: split them across the pool in whole vectors of channels.
        scratch.scanJob.set(channels, stateSize, rows, delta, u, rowOff, z, zOff, zStride, bc, bOff, cOff, bcStride,
                negA, d, state, stateOff, y);
        CpuPool.forRange(blocks, 1, scratch.scanJob);
        scratch.scanJob.clear();
    }

    /** A with each whole block of lanes' channels transposed, the order {@link Scan} keeps A and states in. */
    @Override
    public float[] prepareScanA(float[] negA, int channels, int n) {
        float[] blocked = new float[channels * n];
        Scan.blockedCopy(negA, 0, channels, n, blocked, 0);
        return blocked;
    }

    @Override
    public void scanStateToPortable(float[] state, int off, int channels, int n, float[] portable, int portableOff) {
        Scan.toPortable(state, off, channels, n, portable, portableOff);
    }

    @Override
    public void scanStateFromPortable(float[] portable, int portableOff, int channels, int n, float[] state, int off) {
        Scan.blockedCopy(portable, portableOff, channels, n, state, off);
    }

    @Override
    public void forKeys(int keys, KeyRange body) {
        CpuPool.forRange(keys, KEYS_PER_THREAD, body);
    }
}
