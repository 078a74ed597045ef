package io.scanflow.model.math;

/** The reference kernels: plain loops in a fixed order, read like the math in {@link Kernels}. */
public final class ScalarKernels implements Kernels {
    /** The kernels (stateless). */
    public static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {}

    @Override
    public void linear(float[] x, int xOff, int xStride, int rows, int in,
                       float[] w, float[] bias, int out, float[] y, int yOff, int yStride) {
        Ops.linear(x, xOff, xStride, rows, in, w, bias, out, y, yOff, yStride);
    }

    @Override
    public void siluInPlace(float[] a, int off, int n) {
        for (int i = off; i < off + n; i++) {
            a[i] = Ops.silu(a[i]);
        }
    }

    @Override
    public void siluGate(float[] y, int yOff, float[] z, int zOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] *= Ops.silu(z[zOff + i]);
        }
    }

    @Override
    public void softplusInPlace(float[] a, int off, int n) {
        for (int i = off; i < off + n; i++) {
            a[i] = Ops.softplus(a[i]);
        }
    }

    @Override
    public void selectiveScan(int channels, int stateSize, int rows,
                              float[] delta, float[] u, int rowOff, float[] z, int zOff, int zStride,
                              float[] bc, int bOff, int cOff, int bcStride,
                              float[] negA, float[] d, float[] state, int stateOff, float[] y) {
        int n = stateSize;
        for (int c = 0; c < channels; c++) {
            int sc = stateOff + c * n;
            for (int t = 0; t < rows; t++) {
                int i = rowOff + t * channels + c;
                float dt = delta[i];
                float x = u[i];
                float dtX = dt * x;
                int b = bOff + t * bcStride;
                int cc = cOff + t * bcStride;
                float acc = 0f;
                for (int j = 0; j < n; j++) {
                    float dA = (float) Math.exp(dt * negA[c * n + j]);
                    float s = dA * state[sc + j] + dtX * bc[b + j];
                    state[sc + j] = s;
                    acc += s * bc[cc + j];
                }
                acc += d[c] * x;
                y[i] = acc * Ops.silu(z[zOff + t * zStride + c]);
            }
        }
    }
}
