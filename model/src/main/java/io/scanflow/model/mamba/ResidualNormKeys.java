package io.scanflow.model.mamba;

import io.scanflow.model.math.Kernels;

/**
 * Per key, between two layers: residual += mixer output (skipped before the first layer), then the next
 * norm of the residual. Each element sees the same operations whichever range holds its key.
 */
final class ResidualNormKeys implements Kernels.KeyRange {
    private final MambaWorkspace ws;
    private Kernels kernels;
    private boolean addMixed;
    private float[] weight;
    private float eps;
    private float[] out;
    private int outOffset;
    private int rowsPerKey;
    private int width;

    ResidualNormKeys(MambaWorkspace ws) {
        this.ws = ws;
    }

    void set(Kernels kernels, boolean addMixed, float[] weight, float eps, float[] out, int outOffset, int rowsPerKey,
             int width) {
        this.kernels = kernels;
        this.addMixed = addMixed;
        this.weight = weight;
        this.eps = eps;
        this.out = out;
        this.outOffset = outOffset;
        this.rowsPerKey = rowsPerKey;
        this.width = width;
    }

    /** Drops the caller's output array. */
    void clear() {
        out = null;
    }

    @Override
    public void run(int from, int to) {
        int r0 = from * rowsPerKey;
        int rows = (to - from) * rowsPerKey;
        if (addMixed) {
            for (int i = r0 * width; i < (r0 + rows) * width; i++) {
                ws.residual[i] += ws.mixed[i];
            }
        }
        kernels.rmsNorm(ws.residual, r0 * width, weight, eps, out, outOffset + r0 * width, rows, width);
    }
}
