package io.scanflow.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = x W^T + b on weights packed at load into panels of {@link #PANEL} output columns: panel p holds,
 * for each input i, the PANEL weights of its columns side by side (zero-padded past the last column), so
 * the micro-kernel streams one contiguous block per panel.
 *
 * <p>The main micro-kernel keeps 8 rows x 2 vectors of accumulators in registers: per input element it
 * loads two weight vectors and broadcasts eight x values for sixteen independent FMA chains. That covers
 * the FMA latency of cores with two 512-bit FMA units, and each weight load feeds eight FMAs, which halves
 * the panel traffic from L2 against four rows. Leftover rows take the 4-row and 1-row kernels. Every
 * output is one FMA chain over i = 0..in-1 from zero, then + bias, whatever the blocking, the panel or
 * the thread: a row's values never depend on the other rows of its call.
 */
final class PanelGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Output columns per panel: two vectors. */
    static final int PANEL = 2 * L;
    /** Rows of the main micro-kernel. */
    static final int ROW_BLOCK = 8;

    private PanelGemm() {}

    static int panels(int out) {
        return (out + PANEL - 1) / PANEL;
    }

    /** Packs a PyTorch [out, in] weight into panels. */
    static float[] pack(float[] w, int out, int in) {
        float[] packed = new float[panels(out) * in * PANEL];
        for (int o = 0; o < out; o++) {
            int base = (o / PANEL) * in * PANEL + o % PANEL;
            for (int i = 0; i < in; i++) {
                packed[base + i * PANEL] = w[o * in + i];
            }
        }
        return packed;
    }

    /**
     * Panels [pFrom, pTo) of all rows. {@code tmp} holds one row block (ROW_BLOCK x PANEL floats): a partial
     * panel (the last one, when {@code out} is not a multiple of PANEL) is computed into it in full
     * vectors, then its existing columns are copied out with the bias added alone.
     */
    static void run(float[] x, int xOff, int xStride, int rows, int in, float[] wp, float[] bias, int out,
                    int pFrom, int pTo, float[] y, int yOff, int yStride, float[] tmp) {
        for (int p = pFrom; p < pTo; p++) {
            int o = p * PANEL;
            int wOff = p * in * PANEL;
            if (o + PANEL <= out) {
                int r = 0;
                for (; r + 7 < rows; r += 8) {
                    eightRows(x, xOff + r * xStride, xStride, in, wp, wOff, bias, o, y, yOff + r * yStride + o, yStride);
                }
                for (; r + 3 < rows; r += 4) {
                    fourRows(x, xOff + r * xStride, xStride, in, wp, wOff, bias, o, y, yOff + r * yStride + o, yStride);
                }
                for (; r < rows; r++) {
                    oneRow(x, xOff + r * xStride, in, wp, wOff, bias, o, y, yOff + r * yStride + o);
                }
            } else {
                partialPanel(x, xOff, xStride, rows, in, wp, wOff, bias, out, o, y, yOff, yStride, tmp);
            }
        }
    }

    /**
     * The last panel, columns [o, out) with out - o < PANEL: via {@code tmp} ({@link #ROW_BLOCK} rows of
     * PANEL floats), in the same row blocks as full panels.
     */
    private static void partialPanel(float[] x, int xOff, int xStride, int rows, int in, float[] wp, int wOff,
                                     float[] bias, int out, int o, float[] y, int yOff, int yStride, float[] tmp) {
        int columns = out - o;
        for (int r = 0; r < rows; ) {
            int block = Math.min(ROW_BLOCK, rows - r);
            if (block == ROW_BLOCK) {
                eightRows(x, xOff + r * xStride, xStride, in, wp, wOff, null, 0, tmp, 0, PANEL);
            } else if (block >= 4) {
                block = 4;
                fourRows(x, xOff + r * xStride, xStride, in, wp, wOff, null, 0, tmp, 0, PANEL);
            } else {
                for (int k = 0; k < block; k++) {
                    oneRow(x, xOff + (r + k) * xStride, in, wp, wOff, null, 0, tmp, k * PANEL);
                }
            }
            for (int k = 0; k < block; k++, r++) {
                int yr = yOff + r * yStride + o;
                for (int j = 0; j < columns; j++) {
                    y[yr + j] = bias == null ? tmp[k * PANEL + j] : tmp[k * PANEL + j] + bias[o + j];
                }
            }
        }
    }

    private static void eightRows(float[] x, int x0, int xStride, int in, float[] wp, int wOff,
                                  float[] bias, int o, float[] y, int y0, int yStride) {
        int x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        int x4 = x3 + xStride, x5 = x4 + xStride, x6 = x5 + xStride, x7 = x6 + xStride;
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        FloatVector a40 = a00, a41 = a00, a50 = a00, a51 = a00;
        FloatVector a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        for (int i = 0, w = wOff; i < in; i++, w += PANEL) {
            FloatVector w0 = FloatVector.fromArray(S, wp, w);
            FloatVector w1 = FloatVector.fromArray(S, wp, w + L);
            FloatVector v = FloatVector.broadcast(S, x[x0 + i]);
            a00 = w0.fma(v, a00);
            a01 = w1.fma(v, a01);
            v = FloatVector.broadcast(S, x[x1 + i]);
            a10 = w0.fma(v, a10);
            a11 = w1.fma(v, a11);
            v = FloatVector.broadcast(S, x[x2 + i]);
            a20 = w0.fma(v, a20);
            a21 = w1.fma(v, a21);
            v = FloatVector.broadcast(S, x[x3 + i]);
            a30 = w0.fma(v, a30);
            a31 = w1.fma(v, a31);
            v = FloatVector.broadcast(S, x[x4 + i]);
            a40 = w0.fma(v, a40);
            a41 = w1.fma(v, a41);
            v = FloatVector.broadcast(S, x[x5 + i]);
            a50 = w0.fma(v, a50);
            a51 = w1.fma(v, a51);
            v = FloatVector.broadcast(S, x[x6 + i]);
            a60 = w0.fma(v, a60);
            a61 = w1.fma(v, a61);
            v = FloatVector.broadcast(S, x[x7 + i]);
            a70 = w0.fma(v, a70);
            a71 = w1.fma(v, a71);
        }
        if (bias != null) {
            // No bias means no add: adding zero would turn -0 into +0.
            FloatVector b0 = FloatVector.fromArray(S, bias, o), b1 = FloatVector.fromArray(S, bias, o + L);
            a00 = a00.add(b0);
            a01 = a01.add(b1);
            a10 = a10.add(b0);
            a11 = a11.add(b1);
            a20 = a20.add(b0);
            a21 = a21.add(b1);
            a30 = a30.add(b0);
            a31 = a31.add(b1);
            a40 = a40.add(b0);
            a41 = a41.add(b1);
            a50 = a50.add(b0);
            a51 = a51.add(b1);
            a60 = a60.add(b0);
            a61 = a61.add(b1);
            a70 = a70.add(b0);
            a71 = a71.add(b1);
        }
        a00.intoArray(y, y0);
        a01.intoArray(y, y0 + L);
        a10.intoArray(y, y0 + yStride);
        a11.intoArray(y, y0 + yStride + L);
        a20.intoArray(y, y0 + 2 * yStride);
        a21.intoArray(y, y0 + 2 * yStride + L);
        a30.intoArray(y, y0 + 3 * yStride);
        a31.intoArray(y, y0 + 3 * yStride + L);
        a40.intoArray(y, y0 + 4 * yStride);
        a41.intoArray(y, y0 + 4 * yStride + L);
        a50.intoArray(y, y0 + 5 * yStride);
        a51.intoArray(y, y0 + 5 * yStride + L);
        a60.intoArray(y, y0 + 6 * yStride);
        a61.intoArray(y, y0 + 6 * yStride + L);
        a70.intoArray(y, y0 + 7 * yStride);
        a71.intoArray(y, y0 + 7 * yStride + L);
    }

    private static void fourRows(float[] x, int x0, int xStride, int in, float[] wp, int wOff,
                                 float[] bias, int o, float[] y, int y0, int yStride) {
        int x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int i = 0, w = wOff; i < in; i++, w += PANEL) {
            FloatVector w0 = FloatVector.fromArray(S, wp, w);
            FloatVector w1 = FloatVector.fromArray(S, wp, w + L);
            FloatVector v = FloatVector.broadcast(S, x[x0 + i]);
            a00 = w0.fma(v, a00);
            a01 = w1.fma(v, a01);
            v = FloatVector.broadcast(S, x[x1 + i]);
            a10 = w0.fma(v, a10);
            a11 = w1.fma(v, a11);
            v = FloatVector.broadcast(S, x[x2 + i]);
            a20 = w0.fma(v, a20);
            a21 = w1.fma(v, a21);
            v = FloatVector.broadcast(S, x[x3 + i]);
            a30 = w0.fma(v, a30);
            a31 = w1.fma(v, a31);
        }
        if (bias != null) {
            // No bias means no add: adding zero would turn -0 into +0.
            FloatVector b0 = FloatVector.fromArray(S, bias, o), b1 = FloatVector.fromArray(S, bias, o + L);
            a00 = a00.add(b0);
            a01 = a01.add(b1);
            a10 = a10.add(b0);
            a11 = a11.add(b1);
            a20 = a20.add(b0);
            a21 = a21.add(b1);
            a30 = a30.add(b0);
            a31 = a31.add(b1);
        }
        a00.intoArray(y, y0);
        a01.intoArray(y, y0 + L);
        a10.intoArray(y, y0 + yStride);
        a11.intoArray(y, y0 + yStride + L);
        a20.intoArray(y, y0 + 2 * yStride);
        a21.intoArray(y, y0 + 2 * yStride + L);
        a30.intoArray(y, y0 + 3 * yStride);
        a31.intoArray(y, y0 + 3 * yStride + L);
    }

    /** One row; {@code bias} null for none (or for a partial panel, whose caller adds it per column). */
    private static void oneRow(float[] x, int x0, int in, float[] wp, int wOff, float[] bias, int o,
                               float[] y, int y0) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0;
        for (int i = 0, w = wOff; i < in; i++, w += PANEL) {
            FloatVector v = FloatVector.broadcast(S, x[x0 + i]);
            a0 = FloatVector.fromArray(S, wp, w).fma(v, a0);
            a1 = FloatVector.fromArray(S, wp, w + L).fma(v, a1);
        }
        if (bias != null) {
            a0 = a0.add(FloatVector.fromArray(S, bias, o));
            a1 = a1.add(FloatVector.fromArray(S, bias, o + L));
        }
        a0.intoArray(y, y0);
        a1.intoArray(y, y0 + L);
    }
}
