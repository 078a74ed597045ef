package io.scanflow.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * y = x W^T + b on weights packed at load into panels of output columns: panel p holds, for each input
 * i, the weights of its columns side by side (zero-padded past the last column), so the micro-kernel
 * streams one contiguous block per panel.
 *
 * <p>Two panel widths, chosen from the layer's width alone ({@link #panelWidth}):
 * <ul>
 *   <li>wide, four vectors: 6 rows x 4 vectors of accumulators; per input element 4 weight loads and 6
 *       broadcasts feed 24 FMAs. On cores whose vector broadcast shares a port with the FMA units (Intel
 *       server cores), fewer broadcasts per FMA is what lifts a single core from about 45% (8 x 2) to
 *       60-78% of its FMA peak; elsewhere it is as fast as 8 x 2;</li>
 *   <li>narrow, two vectors (8 x 2, then 4 x 2 and 1 x 2 for leftover rows), for layers that a wide
 *       panel would pad more (a DNA model's 10- and 32-column layers).</li>
 * </ul>
 * Every output is one FMA chain over i = 0..in-1 from zero, then + bias, whatever the blocking, the
 * panel width or the thread: a row's values never depend on the other rows of its call.
 */
final class PanelGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int NARROW = 2 * L;
    static final int WIDE = 4 * L;
    /** Floats of the scratch that a partial panel's row block goes through. */
    static final int PARTIAL_FLOATS = Math.max(8 * NARROW, 6 * WIDE);

    private PanelGemm() {}

    /** Wide unless wide panels would pad the layer more than narrow ones. */
    static int panelWidth(int out) {
        return roundUp(out, WIDE) == roundUp(out, NARROW) ? WIDE : NARROW;
    }

    private static int roundUp(int v, int multiple) {
        return (v + multiple - 1) / multiple * multiple;
    }

    /** Rows of the micro-kernel's full block for this layer's panels: 6 wide, 8 narrow. */
    static int rowBlock(int out) {
        return panelWidth(out) == WIDE ? 6 : 8;
    }

    static int panels(int out) {
        return (out + panelWidth(out) - 1) / panelWidth(out);
    }

    /** Packs a PyTorch [out, in] weight into panels. */
    static float[] pack(float[] w, int out, int in) {
        int width = panelWidth(out);
        float[] packed = new float[panels(out) * in * width];
        for (int o = 0; o < out; o++) {
            int base = (o / width) * in * width + o % width;
            for (int i = 0; i < in; i++) {
                packed[base + i * width] = w[o * in + i];
            }
        }
        return packed;
    }

    /**
     * Panels [pFrom, pTo) of all rows. {@code tmp} ({@link #PARTIAL_FLOATS}) takes a partial panel (the
     * last one, when {@code out} is not a multiple of the width): its row blocks are computed into it in
     * full vectors, then the existing columns are copied out with the bias added alone.
     */
    static void run(float[] x, int xOff, int xStride, int rows, int in, float[] wp, float[] bias, int out,
                    int pFrom, int pTo, float[] y, int yOff, int yStride, float[] tmp) {
        int width = panelWidth(out);
        for (int p = pFrom; p < pTo; p++) {
            int o = p * width;
            int wOff = p * in * width;
            if (o + width > out) {
                partialPanel(x, xOff, xStride, rows, in, wp, wOff, width, bias, out, o, y, yOff, yStride, tmp);
            } else if (width == WIDE) {
                int r = 0;
                for (; r + 5 < rows; r += 6) {
                    sixRowsWide(x, xOff + r * xStride, xStride, in, wp, wOff, bias, o, y, yOff + r * yStride + o, yStride);
                }
                if (r < rows && rows >= 6) {
                    // The leftover rows as the last six, overlapping rows already done: each output is
                    // written again with the same value, at the six-row kernel's speed.
                    r = rows - 6;
                    sixRowsWide(x, xOff + r * xStride, xStride, in, wp, wOff, bias, o, y, yOff + r * yStride + o, yStride);
                    r = rows;
                }
                for (; r < rows; r++) {
                    oneRowWide(x, xOff + r * xStride, in, wp, wOff, bias, o, y, yOff + r * yStride + o);
                }
            } else {
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
            }
        }
    }

    /** The last panel, columns [o, out) with out - o < width: a row block at a time via {@code tmp}. */
    private static void partialPanel(float[] x, int xOff, int xStride, int rows, int in, float[] wp, int wOff,
                                     int width, float[] bias, int out, int o, float[] y, int yOff, int yStride,
                                     float[] tmp) {
        int columns = out - o;
        for (int r = 0; r < rows; ) {
            int block;
            if (width == WIDE) {
                block = rows - r >= 6 ? 6 : 1;
                if (block == 6) {
                    sixRowsWide(x, xOff + r * xStride, xStride, in, wp, wOff, null, 0, tmp, 0, WIDE);
                } else {
                    oneRowWide(x, xOff + r * xStride, in, wp, wOff, null, 0, tmp, 0);
                }
            } else {
                block = rows - r >= 8 ? 8 : rows - r >= 4 ? 4 : 1;
                if (block == 8) {
                    eightRows(x, xOff + r * xStride, xStride, in, wp, wOff, null, 0, tmp, 0, NARROW);
                } else if (block == 4) {
                    fourRows(x, xOff + r * xStride, xStride, in, wp, wOff, null, 0, tmp, 0, NARROW);
                } else {
                    oneRow(x, xOff + r * xStride, in, wp, wOff, null, 0, tmp, 0);
                }
            }
            for (int k = 0; k < block; k++, r++) {
                int yr = yOff + r * yStride + o;
                for (int j = 0; j < columns; j++) {
                    y[yr + j] = bias == null ? tmp[k * width + j] : tmp[k * width + j] + bias[o + j];
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
        for (int i = 0, w = wOff; i < in; i++, w += NARROW) {
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
        for (int i = 0, w = wOff; i < in; i++, w += NARROW) {
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
        for (int i = 0, w = wOff; i < in; i++, w += NARROW) {
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

    /** Six rows of a wide panel; the bias (if any) is added after the stores, the same add as in registers. */
    private static void sixRowsWide(float[] x, int x0, int xStride, int in, float[] wp, int wOff,
                                    float[] bias, int o, float[] y, int y0, int yStride) {
        int x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride, x4 = x3 + xStride, x5 = x4 + xStride;
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        FloatVector a40 = a00, a41 = a00, a42 = a00, a43 = a00;
        FloatVector a50 = a00, a51 = a00, a52 = a00, a53 = a00;
        for (int i = 0, w = wOff; i < in; i++, w += WIDE) {
            FloatVector w0 = FloatVector.fromArray(S, wp, w);
            FloatVector w1 = FloatVector.fromArray(S, wp, w + L);
            FloatVector w2 = FloatVector.fromArray(S, wp, w + 2 * L);
            FloatVector w3 = FloatVector.fromArray(S, wp, w + 3 * L);
            FloatVector v = FloatVector.broadcast(S, x[x0 + i]);
            a00 = w0.fma(v, a00);
            a01 = w1.fma(v, a01);
            a02 = w2.fma(v, a02);
            a03 = w3.fma(v, a03);
            v = FloatVector.broadcast(S, x[x1 + i]);
            a10 = w0.fma(v, a10);
            a11 = w1.fma(v, a11);
            a12 = w2.fma(v, a12);
            a13 = w3.fma(v, a13);
            v = FloatVector.broadcast(S, x[x2 + i]);
            a20 = w0.fma(v, a20);
            a21 = w1.fma(v, a21);
            a22 = w2.fma(v, a22);
            a23 = w3.fma(v, a23);
            v = FloatVector.broadcast(S, x[x3 + i]);
            a30 = w0.fma(v, a30);
            a31 = w1.fma(v, a31);
            a32 = w2.fma(v, a32);
            a33 = w3.fma(v, a33);
            v = FloatVector.broadcast(S, x[x4 + i]);
            a40 = w0.fma(v, a40);
            a41 = w1.fma(v, a41);
            a42 = w2.fma(v, a42);
            a43 = w3.fma(v, a43);
            v = FloatVector.broadcast(S, x[x5 + i]);
            a50 = w0.fma(v, a50);
            a51 = w1.fma(v, a51);
            a52 = w2.fma(v, a52);
            a53 = w3.fma(v, a53);
        }
        a00.intoArray(y, y0);
        a01.intoArray(y, y0 + L);
        a02.intoArray(y, y0 + 2 * L);
        a03.intoArray(y, y0 + 3 * L);
        a10.intoArray(y, y0 + yStride);
        a11.intoArray(y, y0 + yStride + L);
        a12.intoArray(y, y0 + yStride + 2 * L);
        a13.intoArray(y, y0 + yStride + 3 * L);
        a20.intoArray(y, y0 + 2 * yStride);
        a21.intoArray(y, y0 + 2 * yStride + L);
        a22.intoArray(y, y0 + 2 * yStride + 2 * L);
        a23.intoArray(y, y0 + 2 * yStride + 3 * L);
        a30.intoArray(y, y0 + 3 * yStride);
        a31.intoArray(y, y0 + 3 * yStride + L);
        a32.intoArray(y, y0 + 3 * yStride + 2 * L);
        a33.intoArray(y, y0 + 3 * yStride + 3 * L);
        a40.intoArray(y, y0 + 4 * yStride);
        a41.intoArray(y, y0 + 4 * yStride + L);
        a42.intoArray(y, y0 + 4 * yStride + 2 * L);
        a43.intoArray(y, y0 + 4 * yStride + 3 * L);
        a50.intoArray(y, y0 + 5 * yStride);
        a51.intoArray(y, y0 + 5 * yStride + L);
        a52.intoArray(y, y0 + 5 * yStride + 2 * L);
        a53.intoArray(y, y0 + 5 * yStride + 3 * L);
        if (bias != null) {
            addBias(y, y0, yStride, 6, bias, o);
        }
    }

    /** One row of a wide panel. */
    private static void oneRowWide(float[] x, int x0, int in, float[] wp, int wOff, float[] bias, int o,
                                   float[] y, int y0) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0, w = wOff; i < in; i++, w += WIDE) {
            FloatVector v = FloatVector.broadcast(S, x[x0 + i]);
            a0 = FloatVector.fromArray(S, wp, w).fma(v, a0);
            a1 = FloatVector.fromArray(S, wp, w + L).fma(v, a1);
            a2 = FloatVector.fromArray(S, wp, w + 2 * L).fma(v, a2);
            a3 = FloatVector.fromArray(S, wp, w + 3 * L).fma(v, a3);
        }
        a0.intoArray(y, y0);
        a1.intoArray(y, y0 + L);
        a2.intoArray(y, y0 + 2 * L);
        a3.intoArray(y, y0 + 3 * L);
        if (bias != null) {
            addBias(y, y0, 0, 1, bias, o);
        }
    }

    /** y[row][0, WIDE) += bias[o, o + WIDE) for {@code rows} rows from y0. */
    private static void addBias(float[] y, int y0, int yStride, int rows, float[] bias, int o) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < WIDE; j += L) {
                int at = y0 + r * yStride + j;
                FloatVector.fromArray(S, y, at).add(FloatVector.fromArray(S, bias, o + j)).intoArray(y, at);
            }
        }
    }
}
