package io.scanflow.model.math;

/**
 * The scalar reference kernels every model path is written with. They are plain loops on purpose: the
 * fast backends keep their own SIMD versions and are tested against these.
 */
public final class Ops {
    private Ops() {}

    /**
     * y[r, o] = sum_i x[r, i] * w[o, i] + bias[o], the PyTorch {@code Linear} convention (w is [out, in]).
     *
     * @param x    rows of width {@code in} starting at {@code xOff}, consecutive rows {@code xStride} apart
     * @param bias may be null
     */
    public static void linear(float[] x, int xOff, int xStride, int rows, int in,
                              float[] w, float[] bias, int out,
                              float[] y, int yOff, int yStride) {
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * xStride;
            int yr = yOff + r * yStride;
            for (int o = 0; o < out; o++) {
                y[yr + o] = dot(x, xr, w, o * in, in) + (bias == null ? 0f : bias[o]);
            }
        }
    }

    /** Dot product with four independent accumulators (fixed order, so results are reproducible). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** RMSNorm of {@code rows} rows of width n: y = x / sqrt(mean(x^2) + eps) * weight. */
    public static void rmsNorm(float[] x, int xOff, float[] weight, float eps, float[] y, int yOff, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * n;
            int yr = yOff + r * n;
            double sumSq = 0;
            for (int i = 0; i < n; i++) {
                sumSq += (double) x[xr + i] * x[xr + i];
            }
            float scale = (float) (1.0 / Math.sqrt(sumSq / n + eps));
            for (int i = 0; i < n; i++) {
                y[yr + i] = x[xr + i] * scale * weight[i];
            }
        }
    }

    /** x * sigmoid(x). */
    public static float silu(float x) {
        return x / (1f + (float) Math.exp(-x));
    }

    /** PyTorch's softplus with its default threshold: linear above 20 to avoid overflow. */
    public static float softplus(float x) {
        return x > 20f ? x : (float) Math.log1p(Math.exp(x));
    }
}
