package io.scanflow.kernels.cpu;

import io.scanflow.model.math.Kernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD versions of the model kernels (Java Vector API), threaded on {@link CpuPool} when a call is big
 * enough to pay for it. Tested against {@link io.scanflow.model.math.ScalarKernels}: results differ only
 * by summation order and by {@link ExactMath}'s exp, whose bits, unlike the Vector API's own EXP, do not
 * depend on whether HotSpot has compiled the code yet.
 */
public final class VectorKernels implements Kernels {
    public static final VectorKernels INSTANCE = new VectorKernels();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Multiply-adds below which a call stays on the caller's thread. */
    static final long PARALLEL_WORK = 1L << 18;

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
        if (work < PARALLEL_WORK || panels == 1) {
            PanelGemm.run(x, xOff, xStride, rows, in, wp, bias, out, 0, panels, y, yOff, yStride, scratch.panelRow);
            return;
        }
        // Split the panels: each thread streams its panels of w once for all rows.
        scratch.linearJob.set(x, xOff, xStride, rows, in, wp, bias, out, y, yOff, yStride);
        CpuPool.forRange(panels, 1, scratch.linearJob);
        scratch.linearJob.clear();
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
        int blocks = (channels + L - 1) / L;
        Scratch scratch = Scratch.get();
        if (work < PARALLEL_WORK || blocks == 1) {
            Scan.channels(0, channels, channels, stateSize, rows, delta, u, rowOff, z, zOff, zStride, bc, bOff, cOff,
                    bcStride, negA, d, state, stateOff, y, scratch);
            return;
        }
        // Channels are independent recurrences: split them across the pool in whole vectors of channels.
        scratch.scanJob.set(channels, stateSize, rows, delta, u, rowOff, z, zOff, zStride, bc, bOff, cOff, bcStride,
                negA, d, state, stateOff, y);
        CpuPool.forRange(blocks, 1, scratch.scanJob);
        scratch.scanJob.clear();
    }
}
