package io.scanflow.model.mamba;

import io.scanflow.model.RecurrentState;
import io.scanflow.model.config.CheckpointLayout;
import io.scanflow.model.config.MambaConfig;
import io.scanflow.model.math.Kernels;
import io.scanflow.model.weights.Checkpoint;

/**
 * Mamba-1: the selective SSM ("S6") block, the reference path every faster backend is tested against.
 *
 * <p>Per token and layer, with d_inner = E, state N, conv width K, delta rank R (names as in the paper):
 * <pre>
 *   [x, z]        = in_proj(RMSNorm(h))
 *   x             = SiLU(conv1d_K(x) + conv_bias)              causal, depthwise
 *   [dlow, B, C]  = x_proj(x)
 *   delta         = softplus(dt_proj(dlow) + dt_bias)          [E]
 *   A             = -exp(A_log)                                [E, N]
 *   s[d, n]       = exp(delta[d] A[d, n]) s[d, n] + delta[d] B[n] x[d]     (dA s + dBu)
 *   y[d]          = sum_n s[d, n] C[n] + D[d] x[d]
 *   h             = h + out_proj(y * SiLU(z))
 * </pre>
 * State layout per layer: conv window, E x (K-1) floats, then SSM state, E x N floats, each in the
 * kernels' order ([E, K-1] and [E, N] for the reference; {@link #exportState} gives those whatever the
 * kernels).
 */
public final class Mamba1 extends MambaLanguageModel<Mamba1.Scratch> {
    private final MambaConfig cfg;
    private final Layer[] layers;

    /** One block's weights, as views of the checkpoint converted to float32. */
    record Layer(float[] norm, float[] inProj, float[] inProjBias, float[] convWeight, float[] convBias,
                 float[] xProj, float[] dtProj, float[] dtBias, float[] negA, float[] d,
                 float[] outProj, float[] outProjBias) {}

    private Mamba1(MambaConfig cfg, Layer[] layers, ModelInput input, float[] finalNorm, float[] lmHead,
                   long fingerprint, Kernels kernels) {
        super(cfg, input, finalNorm, lmHead, cfg.normEpsilon(), fingerprint, kernels, cfg.intermediateSize(),
                cfg.convKernel());
        this.cfg = cfg;
        this.layers = layers;
    }

    /**
     * Reads every tensor the config implies, with its expected shape; leftovers are an error.
     *
     * @param kernels the loops to run with: {@link io.scanflow.model.math.ScalarKernels} or a backend's
     */
    public static Mamba1 load(MambaConfig cfg, Checkpoint checkpoint, Kernels kernels) {
        WeightReader w = new WeightReader(checkpoint, cfg.toString());
        CheckpointLayout layout = cfg.layout();
        int d = cfg.hiddenSize(), e = cfg.intermediateSize(), n = cfg.stateSize();
        int k = cfg.convKernel(), r = cfg.dtRank();
        ModelInput input = ModelInput.read(w, cfg, kernels);
        Layer[] layers = new Layer[cfg.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = layout.layerPrefix(i);
            String m = p + "mixer.";
            float[] aLog = w.read(m + "A_log", e, n);
            float[] a = new float[aLog.length];
            for (int j = 0; j < aLog.length; j++) {
                a[j] = (float) -Math.exp(aLog[j]);
            }
            float[] negA = kernels.prepareScanA(a, e, n);
            layers[i] = new Layer(
                    w.read(p + "norm.weight", d),
                    kernels.prepareLinear(w.read(m + "in_proj.weight", 2L * e, d), 2 * e, d),
                    w.readIf(cfg.useBias(), m + "in_proj.bias", 2L * e),
                    w.read(m + "conv1d.weight", e, 1, k),
                    w.readIf(cfg.useConvBias(), m + "conv1d.bias", e),
                    kernels.prepareLinear(w.read(m + "x_proj.weight", r + 2L * n, e), r + 2 * n, e),
                    kernels.prepareLinear(w.read(m + "dt_proj.weight", e, r), e, r),
                    w.read(m + "dt_proj.bias", e),
                    negA,
                    w.read(m + "D", e),
                    kernels.prepareLinear(w.read(m + "out_proj.weight", d, e), d, e),
                    w.readIf(cfg.useBias(), m + "out_proj.bias", d));
        }
        float[] finalNorm = w.read(layout.finalNormTensor(), d);
        float[] lmHead = LmHead.read(w, cfg, input.embedding());
        w.requireNoUnexpected();
        return new Mamba1(cfg, layers, input, finalNorm, lmHead, w.fingerprint(), kernels);
    }

    /** Scratch for up to maxRows tokens. */
    static final class Scratch extends MambaWorkspace {
        final float[] xz;     // in_proj output [rows, 2E]: x then z
        final float[] u;      // conv + SiLU output [rows, E]
        final float[] xDbl;   // x_proj output [rows, R + 2N]
        final float[] delta;  // [rows, E]
        final float[] y;      // gated scan output [rows, E]
        /** The per-key parts of a layer, made once with the workspace. */
        ConvKeys conv;
        ScanKeys scan;

        Scratch(MambaConfig c, int maxRows) {
            super(maxRows, c.hiddenSize());
            int e = c.intermediateSize();
            xz = new float[maxRows * 2 * e];
            u = new float[maxRows * e];
            xDbl = new float[maxRows * (c.dtRank() + 2 * c.stateSize())];
            delta = new float[maxRows * e];
            y = new float[maxRows * e];
        }
    }

    @Override
    Scratch workspace(int maxRows) {
        Scratch ws = new Scratch(cfg, maxRows);
        ws.conv = new ConvKeys(ws);
        ws.scan = new ScanKeys(ws);
        return ws;
    }

    @Override
    long layerWeightFloats() {
        long floats = 0;
        for (Layer layer : layers) {
            floats += layer.inProj().length + layer.xProj().length + layer.dtProj().length + layer.outProj().length;
        }
        return floats;
    }

    @Override
    public void exportState(RecurrentState state, float[] portable) {
        super.exportState(state, portable);
        float[] data = state.data();
        int e = cfg.intermediateSize(), n = cfg.stateSize();
        for (int layer = 0; layer < layers.length; layer++) {
            kernels.scanStateToPortable(data, ssmStateOffset(layer), e, n, portable, ssmStateOffset(layer));
        }
    }

    @Override
    public void importState(float[] portable, RecurrentState state) {
        super.importState(portable, state);
        float[] data = state.data();
        int e = cfg.intermediateSize(), n = cfg.stateSize();
        for (int layer = 0; layer < layers.length; layer++) {
            kernels.scanStateFromPortable(portable, ssmStateOffset(layer), e, n, data, ssmStateOffset(layer));
        }
    }

    @Override
    float[] layerNorm(int layer) {
        return layers[layer].norm;
    }

    /**
     * The dense layers run over all rows (a SIMD backend splits their columns across threads); the conv
     * and the scan run per key, over key ranges that never change a key's result.
     */
    @Override
    void mix(int layer, RecurrentState[] states, int firstState, int stateCount, int rowsPerState, Scratch ws) {
        Layer w = layers[layer];
        int rows = stateCount * rowsPerState;
        int d = cfg.hiddenSize(), e = cfg.intermediateSize(), n = cfg.stateSize(), r = cfg.dtRank();
        int xw = r + 2 * n;
        kernels.linear(ws.normed, 0, d, rows, d, w.inProj, w.inProjBias, 2 * e, ws.xz, 0, 2 * e);
        ws.conv.set(layer, states, firstState, rowsPerState);
        overKeys(stateCount, ws.conv, ws);
        kernels.linear(ws.u, 0, e, rows, e, w.xProj, null, xw, ws.xDbl, 0, xw);
        kernels.linear(ws.xDbl, 0, xw, rows, r, w.dtProj, w.dtBias, e, ws.delta, 0, e);
        ws.scan.set(layer, states, firstState, rowsPerState);
        overKeys(stateCount, ws.scan, ws);
        ws.conv.clear();
        ws.scan.clear();
        kernels.linear(ws.y, 0, e, rows, e, w.outProj, w.outProjBias, d, ws.mixed, 0, d);
    }

    /** One layer's per-key part: which layer and keys; key k is {@code states[firstState + k]}. */
    private abstract class LayerKeys implements Kernels.KeyRange {
        final Scratch ws;
        int layer;
        RecurrentState[] states;
        int firstState;
        int rowsPerState;

        LayerKeys(Scratch ws) {
            this.ws = ws;
        }

        void set(int layer, RecurrentState[] states, int firstState, int rowsPerState) {
            this.layer = layer;
            this.states = states;
            this.firstState = firstState;
            this.rowsPerState = rowsPerState;
        }

        /** Drops the caller's states. */
        void clear() {
            states = null;
        }
    }

    /** Causal conv of x (the in_proj output's first half) then SiLU, into u. */
    private final class ConvKeys extends LayerKeys {
        ConvKeys(Scratch ws) {
            super(ws);
        }

        @Override
        public void run(int from, int to) {
            Layer w = layers[layer];
            int e = cfg.intermediateSize();
            int row = from * rowsPerState;
            causalConv(ws.xz, row * 2 * e, 2 * e, ws.u, row * e, e, states, firstState + from, to - from, rowsPerState,
                    convWindowOffset(layer), e, cfg.convKernel(), w.convWeight, w.convBias);
            kernels.siluInPlace(ws.u, row * e, (to - from) * rowsPerState * e);
        }
    }

    /** softplus of dt_proj's output (delta), then the selective scan of each key's rows, gated by z, into y. */
    private final class ScanKeys extends LayerKeys {
        ScanKeys(Scratch ws) {
            super(ws);
        }

        @Override
        public void run(int from, int to) {
            Layer w = layers[layer];
            int e = cfg.intermediateSize(), n = cfg.stateSize(), r = cfg.dtRank();
            int xw = r + 2 * n;
            kernels.softplusInPlace(ws.delta, from * rowsPerState * e, (to - from) * rowsPerState * e);
            for (int s = from; s < to; s++) {
                int row = s * rowsPerState;
                kernels.selectiveScan(e, n, rowsPerState, ws.delta, ws.u, row * e, ws.xz, row * 2 * e + e, 2 * e,
                        ws.xDbl, row * xw + r, row * xw + r + n, xw, w.negA, w.d,
                        states[firstState + s].data(), ssmStateOffset(layer), ws.y);
            }
        }
    }
}
