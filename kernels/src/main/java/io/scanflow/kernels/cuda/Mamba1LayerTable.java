package io.scanflow.kernels.cuda;

import io.scanflow.model.config.MambaConfig;

/**
 * The per-layer weight table the one-launch Mamba-1 kernels read ({@code SfM1Layer} in common.cuh):
 * twelve device pointers per layer in the structs' field order, the dense weights replaced by transposed
 * copies (each kernel wants its own transposed layout, so the caller makes them).
 */
final class Mamba1LayerTable {
    static final int POINTERS_PER_LAYER = 12;

    /** Makes a transposed copy of the row-major [rows][cols] weight at {@code src}; returns its address. */
    interface Transposer {
        long transposed(long src, int rows, int cols);
    }

    private Mamba1LayerTable() {}

    static long[] build(MambaConfig cfg, DeviceWeights w, Transposer t) {
        int d = cfg.hiddenSize();
        int e = cfg.intermediateSize();
        int r = cfg.dtRank();
        int xw = r + 2 * cfg.stateSize();
        long[] ptrs = new long[POINTERS_PER_LAYER * cfg.numLayers()];
        for (int i = 0; i < cfg.numLayers(); i++) {
            int at = POINTERS_PER_LAYER * i;
            ptrs[at] = w.require(i + ".norm");
            ptrs[at + 1] = t.transposed(w.require(i + ".in_proj"), 2 * e, d);
            ptrs[at + 2] = w.ptr(i + ".in_proj_bias");
            ptrs[at + 3] = w.require(i + ".conv_w");
            ptrs[at + 4] = w.ptr(i + ".conv_b");
            ptrs[at + 5] = t.transposed(w.require(i + ".x_proj"), xw, e);
            ptrs[at + 6] = t.transposed(w.require(i + ".dt_proj"), e, r);
            ptrs[at + 7] = w.require(i + ".dt_bias");
            ptrs[at + 8] = w.require(i + ".A2");
            ptrs[at + 9] = w.require(i + ".D");
            ptrs[at + 10] = t.transposed(w.require(i + ".out_proj"), d, e);
            ptrs[at + 11] = w.ptr(i + ".out_proj_bias");
        }
        return ptrs;
    }
}
