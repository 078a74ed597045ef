package io.scanflow.model.math;

/**
 * The hot loops of the models, behind one interface so a backend can swap in SIMD and threads while the
 * models stay readable. {@link ScalarKernels} is the reference every other implementation is tested
 * against (see the kernels module's parity tests).
 *
 * <p>Implementations are stateless or thread-safe: one instance serves every workspace and thread.
 */
public interface Kernels {

    /**
     * The layout {@link #linear} wants its weights in, made once when a model loads: given the PyTorch
     * {@code Linear} weight [out, in], returns it unchanged (the reference) or repacked (a SIMD backend
     * that reads it transposed, say). The returned array is the one to pass to {@link #linear}.
     */
    default float[] prepareLinear(float[] w, int out, int in) {
        return w;
    }

    /**
     * y[r, o] = sum_i x[r, i] * w[o, i] + bias[o], the PyTorch {@code Linear} convention (w is [out, in]
     * as returned by {@link #prepareLinear}).
     *
     * @param x    rows of width {@code in} starting at {@code xOff}, consecutive rows {@code xStride} apart
     * @param bias may be null
     */
    void linear(float[] x, int xOff, int xStride, int rows, int in,
                float[] w, float[] bias, int out,
                float[] y, int yOff, int yStride);

    /**
     * The causal depthwise conv over rows whose K inputs are all in {@code in}: output row t (t in
     * [0, rows)) is {@code bias[c] + sum_k weight[c, k] * in[t + k, c]}, summed from k = 0 up (bias
     * null: from zero). Input row i starts at {@code inOffset + i * inStride}, output row t at
     * {@code outOffset + t * outStride}; weight is [channels, kernel], a model's weight that never changes
     * (a backend may keep a form derived from it for as long as the same array comes back).
     */
    default void convRows(float[] in, int inOffset, int inStride, float[] out, int outOffset, int outStride,
                          int rows, int channels, int kernel, float[] weight, float[] bias) {
        for (int t = 0; t < rows; t++) {
            for (int c = 0; c < channels; c++) {
                float acc = bias == null ? 0f : bias[c];
                for (int k = 0; k < kernel; k++) {
                    acc += weight[c * kernel + k] * in[inOffset + (t + k) * inStride + c];
                }
                out[outOffset + t * outStride + c] = acc;
            }
        }
    }

    /**
     * One new input per channel against a window of the K-1 older ones (a recurrent step's conv):
     * {@code out[c] = bias[c] + sum_{k<K-1} weight[c, k] * window[c, k] + weight[c, K-1] * in[c]}, summed
     * in that order like {@link #convRows}, then the window slides to end with {@code in}. The window is
     * channels x (K-1) floats from {@code windowOffset} in this backend's order (the reference: [channels,
     * K-1], oldest first; see {@link #convWindowToPortable}); weight is [channels, kernel]; {@code out} must
     * not overlap {@code in} or the window. As in {@link #convRows}, the weight is a model's and never changes: a
     * backend may keep a form derived from it for as long as the same array comes back.
     */
    default void convStep(float[] in, int inOffset, float[] out, int outOffset, float[] window, int windowOffset,
                          int channels, int kernel, float[] weight, float[] bias) {
        int keep = kernel - 1;
        for (int c = 0; c < channels; c++) {
            int w = windowOffset + c * keep;
            int wc = c * kernel;
            float x = in[inOffset + c];
            float acc = bias == null ? 0f : bias[c];
            for (int k = 0; k < keep; k++) {
                acc += weight[wc + k] * window[w + k];
            }
            acc += weight[wc + keep] * x;
            out[outOffset + c] = acc;
            for (int k = 0; k + 1 < keep; k++) {
                window[w + k] = window[w + k + 1];
            }
            if (keep > 0) {
                window[w + keep - 1] = x;
            }
        }
    }

    /**
     * RMSNorm of {@code rows} rows of width n: y = x / sqrt(mean(x^2) + eps) * weight, as
     * {@link Ops#rmsNorm}. A backend may sum the squares in another order; a row's result never depends
     * on the other rows.
     */
    default void rmsNorm(float[] x, int xOff, float[] weight, float eps, float[] y, int yOff, int rows, int n) {
        Ops.rmsNorm(x, xOff, weight, eps, y, yOff, rows, n);
    }

    /** a[i] = SiLU(a[i]) = a[i] / (1 + exp(-a[i])) for i in [off, off + n). */
    void siluInPlace(float[] a, int off, int n);

    /** y[yOff + i] *= SiLU(z[zOff + i]) for i in [0, n): the gate of the Mamba blocks. */
    void siluGate(float[] y, int yOff, float[] z, int zOff, int n);

    /** a[i] = softplus(a[i]) (linear above 20, as PyTorch) for i in [off, off + n). */
    void softplusInPlace(float[] a, int off, int n);

    /**
     * Copies one layer's conv window from the order {@link #convStep} keeps it in to the portable order
     * [channels, K-1] (oldest first) that saved states hold; source and target may be the same region.
     * The reference keeps the portable order.
     */
    default void convWindowToPortable(float[] window, int off, int channels, int keep, float[] portable, int portableOff) {
        System.arraycopy(window, off, portable, portableOff, channels * keep);
    }

    /** The inverse of {@link #convWindowToPortable}; source and target may be the same region. */
    default void convWindowFromPortable(float[] portable, int portableOff, int channels, int keep, float[] window, int off) {
        System.arraycopy(portable, portableOff, window, off, channels * keep);
    }

    /**
     * The layout {@link #selectiveScan} wants A in, made once when a model loads: given A = -exp(A_log)
     * [channels, N], returns it unchanged (the reference) or reordered. A model's SSM states are kept in
     * the same order (see {@link #scanStateToPortable}).
     */
    default float[] prepareScanA(float[] negA, int channels, int n) {
        return negA;
    }

    /**
     * Copies one layer's SSM state from the order {@link #selectiveScan} keeps it in to the portable
     * order [channels, N] that saved states hold, so that a state saved by one backend loads into
     * another. The reference keeps the portable order.
     */
    default void scanStateToPortable(float[] state, int off, int channels, int n, float[] portable, int portableOff) {
        System.arraycopy(state, off, portable, portableOff, channels * n);
    }

    /** The inverse of {@link #scanStateToPortable}. */
    default void scanStateFromPortable(float[] portable, int portableOff, int channels, int n, float[] state, int off) {
        System.arraycopy(portable, portableOff, state, off, channels * n);
    }

    /**
     * The Mamba-1 selective scan of {@code rows} consecutive positions of one stream, all channels:
     * <pre>
     *   s[c, n] = exp(delta[t, c] A[c, n]) s[c, n] + (delta[t, c] u[t, c]) B[t, n]
     *   y[t, c] = (sum_n s[c, n] C[t, n] + D[c] u[t, c]) * SiLU(z[t, c])
     * </pre>
     * Row t of delta, u and y starts at {@code rowOff + t * channels}; of z at {@code zOff + t * zStride};
     * B and C of row t start at {@code bOff + t * bcStride} and {@code cOff + t * bcStride}; the state is
     * channels x N floats from {@code stateOff} in this backend's order (the reference: [channels, N]),
     * updated in place.
     *
     * @param negA A = -exp(A_log) as returned by {@link #prepareScanA}
     */
    void selectiveScan(int channels, int stateSize, int rows,
                       float[] delta, float[] u, int rowOff, float[] z, int zOff, int zStride,
                       float[] bc, int bOff, int cOff, int bcStride,
                       float[] negA, float[] d,
                       float[] state, int stateOff,
                       float[] y);

    /** Body of a loop over the keys (independent streams) of a batch: keys [from, to). */
    interface KeyRange {
        /** Runs the keys [from, to). */
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over keys [0, keys), on several threads where the backend has them; by default
     * on the caller. Callers give every key work that does not depend on which range it falls in.
     */
    default void forKeys(int keys, KeyRange body) {
        body.run(0, keys);
    }
}
