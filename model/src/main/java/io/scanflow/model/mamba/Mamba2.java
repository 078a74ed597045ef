package io.scanflow.model.mamba;

import io.scanflow.model.RecurrentState;
import io.scanflow.model.config.CheckpointLayout;
import io.scanflow.model.config.Mamba2Config;
import io.scanflow.model.math.Kernels;
import io.scanflow.model.math.Ops;
import io.scanflow.model.weights.Checkpoint;

/**
 * Mamba-2: the SSD block. One scalar decay per head, B and C shared by the heads of a group.
 *
 * <p>Per token and layer, heads h of width P (head_dim), groups g of heads, state N:
 * <pre>
 *   [z, xBC, dt]  = in_proj(RMSNorm(h))
 *   [x, B, C]     = SiLU(conv1d_K(xBC) + conv_bias)
 *   delta[h]      = clamp(softplus(dt[h] + dt_bias[h]), time_step_limit)
 *   s[h, p, n]    = exp(delta[h] A[h]) s[h, p, n] + delta[h] x[h, p] B[g(h), n]
 *   y[h, p]       = sum_n s[h, p, n] C[g(h), n] + D[h] x[h, p]
 *   h             = h + out_proj(GatedRMSNorm(y, z))      y * SiLU(z), then RMSNorm per norm group
 * </pre>
 * A step runs the recurrence. Prefill runs the SSD block form: inside a block of {@code chunk_size}
 * tokens, y = (L o C B^T) (delta x) plus the decayed contribution of the state entering the block (the
 * quadratic "attention-like" form); the state is then passed to the next block. Both are exact
 * rewritings of the recurrence and agree to float rounding.
 *
 * <p>State layout per layer: conv window, convDim x (K-1) floats in the kernels' order ([convDim, K-1]
 * for the reference and in saved states), then SSM state [H, P, N].
 */
public final class Mamba2 extends MambaLanguageModel<Mamba2.Scratch> {
    private final Mamba2Config cfg;
    private final Layer[] layers;

    record Layer(float[] norm, float[] inProj, float[] inProjBias, float[] convWeight, float[] convBias,
                 float[] dtBias, float[] negA, float[] d, float[] gatedNorm, float[] outProj, float[] outProjBias) {}

    private Mamba2(Mamba2Config cfg, Layer[] layers, ModelInput input, float[] finalNorm, float[] lmHead,
                   long fingerprint, Kernels kernels) {
        super(cfg, input, finalNorm, lmHead, cfg.normEpsilon(), fingerprint, kernels, cfg.convDim(), cfg.convKernel());
        this.cfg = cfg;
        this.layers = layers;
    }

    /** Reads every tensor the config implies, with its expected shape; leftovers are an error. */
    public static Mamba2 load(Mamba2Config cfg, Checkpoint checkpoint, Kernels kernels) {
        WeightReader w = new WeightReader(checkpoint, cfg.toString());
        CheckpointLayout layout = cfg.layout();
        int d = cfg.hiddenSize(), e = cfg.intermediateSize(), h = cfg.numHeads();
        int conv = cfg.convDim();
        ModelInput input = ModelInput.read(w, cfg, kernels);
        Layer[] layers = new Layer[cfg.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = layout.layerPrefix(i);
            String m = p + "mixer.";
            float[] aLog = w.read(m + "A_log", h);
            float[] negA = new float[h];
            for (int j = 0; j < h; j++) {
                negA[j] = (float) -Math.exp(aLog[j]);
            }
            layers[i] = new Layer(
                    w.read(p + "norm.weight", d),
                    kernels.prepareLinear(w.read(m + "in_proj.weight", cfg.inProjSize(), d), cfg.inProjSize(), d),
                    w.readIf(cfg.useBias(), m + "in_proj.bias", cfg.inProjSize()),
                    w.read(m + "conv1d.weight", conv, 1, cfg.convKernel()),
                    w.readIf(cfg.useConvBias(), m + "conv1d.bias", conv),
                    w.read(m + "dt_bias", h),
                    negA,
                    w.read(m + "D", h),
                    w.read(m + "norm.weight", e),
                    kernels.prepareLinear(w.read(m + "out_proj.weight", d, e), d, e),
                    w.readIf(cfg.useBias(), m + "out_proj.bias", d));
        }
        float[] finalNorm = w.read(layout.finalNormTensor(), d);
        float[] lmHead = LmHead.read(w, cfg, input.embedding());
        w.requireNoUnexpected();
        return new Mamba2(cfg, layers, input, finalNorm, lmHead, w.fingerprint(), kernels);
    }

    static final class Scratch extends MambaWorkspace {
        final float[] zxbcdt;  // in_proj output [rows, inProj]
        final float[] xbc;     // conv + SiLU output [rows, convDim]: x, B, C
        final float[] delta;   // [rows, H]
        final float[] y;       // scan output, then gated-normed [rows, E]
        final float[] cumDecay;  // SSD block: running sum of delta*A, [chunk]
        final float[] scores;    // SSD block: (C_t . B_s) for one group, [chunk, chunk]

        Scratch(Mamba2Config c, int maxRows) {
            super(maxRows, c.hiddenSize());
            int q = Math.min(c.chunkSize(), maxRows);
            zxbcdt = new float[maxRows * c.inProjSize()];
            xbc = new float[maxRows * c.convDim()];
            delta = new float[maxRows * c.numHeads()];
            y = new float[maxRows * c.intermediateSize()];
            cumDecay = new float[q];
            scores = new float[q * q];
        }
    }

    @Override
    long layerWeightFloats() {
        long floats = 0;
        for (Layer layer : layers) {
            floats += layer.inProj().length + layer.outProj().length;
        }
        return floats;
    }

    @Override
    Scratch workspace(int maxRows) {
        return new Scratch(cfg, maxRows);
    }

    @Override
    float[] layerNorm(int layer) {
        return layers[layer].norm;
    }

    @Override
    void mix(int layer, RecurrentState[] states, int firstState, int stateCount, int rowsPerState, Scratch ws) {
        Layer w = layers[layer];
        int rows = stateCount * rowsPerState;
        int d = cfg.hiddenSize(), e = cfg.intermediateSize(), heads = cfg.numHeads();
        int proj = cfg.inProjSize(), conv = cfg.convDim();
        kernels.linear(ws.normed, 0, d, rows, d, w.inProj, w.inProjBias, proj, ws.zxbcdt, 0, proj);
        causalConv(ws.zxbcdt, e, proj, ws.xbc, 0, conv, states, firstState, stateCount, rowsPerState, convWindowOffset(layer),
                conv, cfg.convKernel(), w.convWeight, w.convBias);
        kernels.siluInPlace(ws.xbc, 0, rows * conv);
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < heads; h++) {
                float dt = Ops.softplus(ws.zxbcdt[r * proj + e + conv + h] + w.dtBias[h]);
                ws.delta[r * heads + h] = Math.min(Math.max(dt, cfg.dtMin()), cfg.dtMax());
            }
        }
        for (int s = 0; s < stateCount; s++) {
            float[] state = states[firstState + s].data();
            int first = s * rowsPerState;
            if (rowsPerState == 1) {
                recurrentStep(w, state, ssmStateOffset(layer), first, ws);
            } else {
                for (int b = 0; b < rowsPerState; b += cfg.chunkSize()) {
                    ssdBlock(w, state, ssmStateOffset(layer), first + b, Math.min(cfg.chunkSize(), rowsPerState - b), ws);
                }
            }
        }
        gatedNorm(w, rows, ws);
        kernels.linear(ws.y, 0, e, rows, e, w.outProj, w.outProjBias, d, ws.mixed, 0, d);
    }

    /** The recurrence for one token of one stream. */
    private void recurrentStep(Layer w, float[] state, int stateOffset, int row, Scratch ws) {
        int heads = cfg.numHeads(), p = cfg.headDim(), n = cfg.stateSize(), e = cfg.intermediateSize();
        int conv = cfg.convDim(), headsPerGroup = heads / cfg.numGroups();
        int xRow = row * conv;
        for (int h = 0; h < heads; h++) {
            int g = h / headsPerGroup;
            int bOff = xRow + e + g * n;
            int cOff = xRow + e + cfg.numGroups() * n + g * n;
            float delta = ws.delta[row * heads + h];
            float dA = (float) Math.exp(delta * w.negA[h]);
            for (int i = 0; i < p; i++) {
                float x = ws.xbc[xRow + h * p + i];
                float deltaX = delta * x;
                int so = stateOffset + (h * p + i) * n;
                float y = 0f;
                for (int j = 0; j < n; j++) {
                    float s = dA * state[so + j] + deltaX * ws.xbc[bOff + j];
                    state[so + j] = s;
                    y += s * ws.xbc[cOff + j];
                }
                ws.y[row * e + h * p + i] = y + w.d[h] * x;
            }
        }
    }

    /**
     * One SSD block of {@code len} rows starting at {@code first}: outputs from the block-local quadratic
     * form plus the entering state, then the state carried out of the block.
     */
    private void ssdBlock(Layer w, float[] state, int stateOffset, int first, int len, Scratch ws) {
        int heads = cfg.numHeads(), p = cfg.headDim(), n = cfg.stateSize(), e = cfg.intermediateSize();
        int conv = cfg.convDim(), groups = cfg.numGroups(), headsPerGroup = heads / groups;
        float[] cum = ws.cumDecay;
        float[] g2 = ws.scores;
        for (int g = 0; g < groups; g++) {
            int bCol = e + g * n;
            int cCol = e + groups * n + g * n;
            // scores[t, s] = C_t . B_s for s <= t, shared by the heads of this group.
            for (int t = 0; t < len; t++) {
                for (int s = 0; s <= t; s++) {
                    g2[t * len + s] = Ops.dot(ws.xbc, (first + t) * conv + cCol, ws.xbc, (first + s) * conv + bCol, n);
                }
            }
            for (int h = g * headsPerGroup; h < (g + 1) * headsPerGroup; h++) {
                float a = w.negA[h];
                float acc = 0f;
                for (int t = 0; t < len; t++) {
                    acc += ws.delta[(first + t) * heads + h] * a;
                    cum[t] = acc;
                }
                int so = stateOffset + h * p * n;
                for (int t = 0; t < len; t++) {
                    int row = first + t;
                    float enter = (float) Math.exp(cum[t]);
                    for (int i = 0; i < p; i++) {
                        // Contribution of the state entering the block, decayed to position t.
                        float y = enter * Ops.dot(ws.xbc, row * conv + cCol, state, so + i * n, n);
                        for (int s = 0; s <= t; s++) {
                            float decay = (float) Math.exp(cum[t] - cum[s]);
                            float dx = ws.delta[(first + s) * heads + h] * ws.xbc[(first + s) * conv + h * p + i];
                            y += decay * g2[t * len + s] * dx;
                        }
                        ws.y[row * e + h * p + i] = y + w.d[h] * ws.xbc[row * conv + h * p + i];
                    }
                }
                // State leaving the block: the entering state decayed over the block plus each token's input.
                float total = cum[len - 1];
                float blockDecay = (float) Math.exp(total);
                for (int i = 0; i < p; i++) {
                    int si = so + i * n;
                    for (int j = 0; j < n; j++) {
                        state[si + j] *= blockDecay;
                    }
                    for (int s = 0; s < len; s++) {
                        int row = first + s;
                        float coef = (float) Math.exp(total - cum[s]) * ws.delta[row * heads + h] * ws.xbc[row * conv + h * p + i];
                        int bOff = row * conv + bCol;
                        for (int j = 0; j < n; j++) {
                            state[si + j] += coef * ws.xbc[bOff + j];
                        }
                    }
                }
            }
        }
    }

    /** y = RMSNorm_group(y * SiLU(z)) * weight, norm groups of {@code normGroupSize} channels. */
    private void gatedNorm(Layer w, int rows, Scratch ws) {
        int e = cfg.intermediateSize(), proj = cfg.inProjSize(), groupSize = cfg.normGroupSize();
        for (int r = 0; r < rows; r++) {
            int yr = r * e;
            kernels.siluGate(ws.y, yr, ws.zxbcdt, r * proj, e);
            for (int g0 = 0; g0 < e; g0 += groupSize) {
                double sumSq = 0;
                for (int c = g0; c < g0 + groupSize; c++) {
                    sumSq += (double) ws.y[yr + c] * ws.y[yr + c];
                }
                float scale = (float) (1.0 / Math.sqrt(sumSq / groupSize + cfg.normEpsilon()));
                for (int c = g0; c < g0 + groupSize; c++) {
                    ws.y[yr + c] = ws.y[yr + c] * scale * w.gatedNorm[c];
                }
            }
        }
    }
}
