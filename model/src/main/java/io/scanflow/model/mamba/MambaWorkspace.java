package io.scanflow.model.mamba;

import io.scanflow.model.Workspace;

/** Buffers shared by both Mamba generations: the residual stream and the normed mixer input/output. */
class MambaWorkspace implements Workspace {
    final int maxRows;
    /** Residual stream h, [rows, D]. */
    final float[] residual;
    /** RMSNorm(h), the mixer input, [rows, D]. */
    final float[] normed;
    /** Mixer output before the residual add, [rows, D]. */
    final float[] mixed;
    /** Per-key parts run on the kernels' key loop (a batch-step workspace) rather than on the caller. */
    boolean keysInParallel;
    /** The residual add and norm between layers, reused so that passes allocate nothing. */
    final ResidualNormKeys residualNorm = new ResidualNormKeys(this);

    MambaWorkspace(int maxRows, int hidden) {
        if (maxRows <= 0) {
            throw new IllegalArgumentException("workspace rows must be positive, found " + maxRows);
        }
        this.maxRows = maxRows;
        this.residual = new float[maxRows * hidden];
        this.normed = new float[maxRows * hidden];
        this.mixed = new float[maxRows * hidden];
    }

    @Override
    public int maxRows() {
        return maxRows;
    }
}
