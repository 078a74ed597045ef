package io.scanflow.model.mamba;

import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.config.ModelConfig;
import io.scanflow.model.math.Kernels;
import io.scanflow.model.math.Ops;

/**
 * Embedding, a stack of pre-norm residual blocks, the final norm and the LM head: the part Mamba-1 and
 * Mamba-2 share. Subclasses supply the mixer.
 *
 * <p>Block order follows HF transformers: {@code h = h + mixer(RMSNorm(h))}. mamba_ssm fuses the add
 * into the next block's norm ({@code residual = h + residual; h = norm(residual)}); the two compute the
 * same sums in the same order, so they agree exactly in float32.
 *
 * <p>Rows: a call processes {@code states x rowsPerState} rows; row r belongs to state
 * {@code r / rowsPerState} and is that stream's token number {@code r % rowsPerState} of this call.
 * Prefill is one state with many rows; a batched step is many states with one row each.
 */
abstract class MambaLanguageModel<W extends MambaWorkspace> implements SequenceModel {
    protected final ModelConfig config;
    private final ModelInput input;
    private final float[] finalNorm;
    private final float[] lmHead;
    private final float normEpsilon;
    private final long fingerprint;
    /** The loops the layers run with (scalar reference or a backend's SIMD version). */
    protected final Kernels kernels;
    /** Per layer, a state holds the conv window (convChannels x (K-1), in the kernels' order), then the SSM state. */
    private final int convChannels;
    private final int convKeep;
    private final int convWindowFloats;
    private final int layerStateFloats;

    /**
     * @param lmHead       null for a feature-input model without a language-model head
     * @param convChannels channels through the causal conv (its window is kept per key)
     */
    MambaLanguageModel(ModelConfig config, ModelInput input, float[] finalNorm, float[] lmHead,
                       float normEpsilon, long fingerprint, Kernels kernels, int convChannels, int convKernel) {
        this.kernels = kernels;
        this.convChannels = convChannels;
        this.convKeep = convKernel - 1;
        this.convWindowFloats = convChannels * convKeep;
        this.layerStateFloats = Math.toIntExact(config.stateFloats() / config.numLayers());
        this.config = config;
        this.input = input;
        this.finalNorm = finalNorm;
        // The head gets the kernels' layout; a tied head keeps the embedding itself untouched.
        this.lmHead = lmHead == null ? null : kernels.prepareLinear(lmHead, config.vocabSize(), config.hiddenSize());
        this.normEpsilon = normEpsilon;
        this.fingerprint = fingerprint;
    }

    /** Mixer of layer {@code layer}: reads {@code ws.normed}, writes {@code ws.mixed}, updates the states. */
    abstract void mix(int layer, RecurrentState[] states, int firstState, int stateCount, int rowsPerState, W ws);

    abstract W workspace(int maxRows);

    @Override
    public final ModelConfig config() {
        return config;
    }

    @Override
    public final long fingerprint() {
        return fingerprint;
    }

    @Override
    public final RecurrentState newState() {
        return new RecurrentState(Math.toIntExact(config.stateFloats()));
    }

    @Override
    public final Workspace newWorkspace(int maxRows) {
        return workspace(maxRows);
    }

    @Override
    public final Workspace newBatchStepWorkspace(int maxRows) {
        W ws = workspace(maxRows);
        ws.keysInParallel = true;
        return ws;
    }

    @Override
    public final long weightBytes() {
        return Float.BYTES * (layerWeightFloats() + (lmHead == null ? 0 : lmHead.length));
    }

    /** Floats of the layers' dense weights, all layers. */
    abstract long layerWeightFloats();

    @Override
    public final void prefill(RecurrentState state, int[] tokens, int offset, int length,
                              float[] hiddenOut, int hiddenOffset, Workspace workspace) {
        input.requireTokens();
        prefillRows(state, tokens, null, offset, length, hiddenOut, hiddenOffset, cast(workspace));
    }

    @Override
    public final void prefillFeatures(RecurrentState state, float[] features, int offset, int length,
                                      float[] hiddenOut, int hiddenOffset, Workspace workspace) {
        input.requireFeatures(features, offset, length);
        prefillRows(state, null, features, offset, length, hiddenOut, hiddenOffset, cast(workspace));
    }

    private void prefillRows(RecurrentState state, int[] tokens, float[] features, int offset, int length,
                             float[] hiddenOut, int hiddenOffset, W ws) {
        RecurrentState[] one = {state};
        int hidden = config.hiddenSize();
        for (int done = 0; done < length; ) {
            int rows = Math.min(ws.maxRows, length - done);
            forward(one, 0, 1, rows, tokens, features, offset + done, hiddenOut,
                    hiddenOut == null ? 0 : hiddenOffset + done * hidden, ws);
            done += rows;
        }
    }

    @Override
    public final void step(RecurrentState[] states, int[] tokens, int offset, int count,
                           float[] hiddenOut, int hiddenOffset, Workspace workspace) {
        input.requireTokens();
        stepRows(states, tokens, null, offset, count, hiddenOut, hiddenOffset, cast(workspace));
    }

    @Override
    public final void stepFeatures(RecurrentState[] states, float[] features, int offset, int count,
                                   float[] hiddenOut, int hiddenOffset, Workspace workspace) {
        input.requireFeatures(features, offset, count);
        stepRows(states, null, features, offset, count, hiddenOut, hiddenOffset, cast(workspace));
    }

    private void stepRows(RecurrentState[] states, int[] tokens, float[] features, int offset, int count,
                          float[] hiddenOut, int hiddenOffset, W ws) {
        for (int done = 0; done < count; ) {
            int rows = Math.min(ws.maxRows, count - done);
            forward(states, offset + done, rows, 1, tokens, features, offset + done, hiddenOut,
                    hiddenOut == null ? 0 : hiddenOffset + done * config.hiddenSize(), ws);
            done += rows;
        }
    }

    @Override
    public final void logits(float[] hidden, int hiddenOffset, int rows, float[] logitsOut, int logitsOffset) {
        if (lmHead == null) {
            throw new UnsupportedOperationException("this feature-input model has no language-model head");
        }
        int d = config.hiddenSize();
        int v = config.vocabSize();
        kernels.linear(hidden, hiddenOffset, d, rows, d, lmHead, null, v, logitsOut, logitsOffset, v);
    }

    /** Exactly one of {@code tokens} and {@code features} is non-null; both are indexed by input row. */
    private void forward(RecurrentState[] states, int firstState, int stateCount, int rowsPerState,
                         int[] tokens, float[] features, int inputOffset,
                         float[] hiddenOut, int hiddenOffset, W ws) {
        int d = config.hiddenSize();
        int rows = stateCount * rowsPerState;
        if (tokens != null) {
            input.embed(tokens, inputOffset, rows, ws.residual);
        } else {
            input.project(kernels, features, inputOffset, rows, ws.residual);
        }
        ResidualNormKeys between = ws.residualNorm;
        for (int layer = 0; layer < config.numLayers(); layer++) {
            between.set(kernels, layer > 0, layerNorm(layer), normEpsilon, ws.normed, 0, rowsPerState, d);
            overKeys(stateCount, between, ws);
            mix(layer, states, firstState, stateCount, rowsPerState, ws);
        }
        for (int s = firstState; s < firstState + stateCount; s++) {
            states[s].advance(rowsPerState);
        }
        // The last residual add only matters to the final hidden states.
        if (hiddenOut != null) {
            between.set(kernels, true, finalNorm, normEpsilon, hiddenOut, hiddenOffset, rowsPerState, d);
            overKeys(stateCount, between, ws);
        }
        between.clear();
    }

    /** Runs a per-key part over keys [0, keys) of the workspace's rows: on the key loop for a batch-step workspace. */
    final void overKeys(int keys, Kernels.KeyRange body, MambaWorkspace ws) {
        if (ws.keysInParallel) {
            kernels.forKeys(keys, body);
        } else {
            body.run(0, keys);
        }
    }

    /**
     * {@link #causalConv} for one new input per state (the batched step): the window holds exactly the
     * K-1 older inputs, so each state is one {@link Kernels#convStep}. Same sums in the same order.
     */
    private void convStep(float[] in, int inOffset, int inStride, float[] out, int outOffset, int outStride,
                          RecurrentState[] states, int firstState, int stateCount, int window,
                          int channels, int kernel, float[] weight, float[] bias) {
        for (int s = 0; s < stateCount; s++) {
            kernels.convStep(in, inOffset + s * inStride, out, outOffset + s * outStride,
                    states[firstState + s].data(), window, channels, kernel, weight, bias);
        }
    }

    /** The state's floats, each layer's conv window turned into the portable order. */
    @Override
    public void exportState(RecurrentState state, float[] portable) {
        SequenceModel.super.exportState(state, portable);
        float[] data = state.data();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            int w = convWindowOffset(layer);
            kernels.convWindowToPortable(data, w, convChannels, convKeep, portable, w);
        }
    }

    @Override
    public void importState(float[] portable, RecurrentState state) {
        SequenceModel.super.importState(portable, state);
        float[] data = state.data();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            int w = convWindowOffset(layer);
            kernels.convWindowFromPortable(portable, w, convChannels, convKeep, data, w);
        }
    }

    /** Offset of layer {@code layer}'s conv window in a state. */
    final int convWindowOffset(int layer) {
        return layer * layerStateFloats;
    }

    /** Offset of layer {@code layer}'s SSM state, right after its conv window. */
    final int ssmStateOffset(int layer) {
        return layer * layerStateFloats + convWindowFloats;
    }

    /** The pre-norm weight of block {@code layer}. */
    abstract float[] layerNorm(int layer);

    @SuppressWarnings("unchecked")
    private W cast(Workspace workspace) {
        if (!(workspace instanceof MambaWorkspace) || ((MambaWorkspace) workspace).residual.length
                < ((MambaWorkspace) workspace).maxRows * config.hiddenSize()) {
            throw new IllegalArgumentException("workspace was not made by this model");
        }
        return (W) workspace;
    }

    /**
     * Causal depthwise conv over the rows of each state (before its SiLU, which the caller applies with
     * the vector kernels), reading the K-1 previous inputs from the conv window kept in the state and
     * leaving the window updated. Input and output are [rows, channels] with
     * row strides, so the conv can read straight out of the in_proj output; output row s starts at
     * {@code outOffset + s * outStride}.
     *
     * @param window offset of this layer's conv window in each state, in the kernels' order (see
     *               {@link Kernels#convStep}); rows of a longer call read it as [channels, K-1], oldest first
     */
    final void causalConv(float[] in, int inOffset, int inStride, float[] out, int outOffset, int outStride,
                          RecurrentState[] states, int firstState, int stateCount, int rowsPerState, int window,
                          int channels, int kernel, float[] weight, float[] bias) {
        int keep = kernel - 1;
        if (rowsPerState == 1) {
            convStep(in, inOffset, inStride, out, outOffset, outStride, states, firstState, stateCount, window, channels, kernel,
                    weight, bias);
            return;
        }
        for (int s = 0; s < stateCount; s++) {
            float[] st = states[firstState + s].data();
            // The portable order for the loops below, once per call of many rows.
            kernels.convWindowToPortable(st, window, channels, keep, st, window);
            int base = s * rowsPerState;
            int head = Math.min(keep, rowsPerState);
            for (int t = 0; t < head; t++) {
                int outRow = outOffset + (base + t) * outStride;
                for (int c = 0; c < channels; c++) {
                    float acc = bias == null ? 0f : bias[c];
                    for (int k = 0; k < kernel; k++) {
                        int j = t - keep + k;
                        float x = j >= 0 ? in[inOffset + (base + j) * inStride + c] : st[window + c * keep + keep + j];
                        acc += weight[c * kernel + k] * x;
                    }
                    out[outRow + c] = acc;
                }
            }
            // Rows whose inputs are all in this call: the kernels' loop (the same sums in the same order).
            if (rowsPerState > keep) {
                kernels.convRows(in, inOffset + base * inStride, inStride, out, outOffset + (base + keep) * outStride, outStride,
                        rowsPerState - keep, channels, kernel, weight, bias);
            }
            // Slide the window: it now ends with this call's last K-1 inputs. Ascending i only reads
            // window slots above i (or new inputs), so the update can be in place.
            for (int c = 0; c < channels; c++) {
                int w = window + c * keep;
                for (int i = 0; i < keep; i++) {
                    int j = rowsPerState - keep + i;
                    st[w + i] = j >= 0 ? in[inOffset + (base + j) * inStride + c] : st[w + i + rowsPerState];
                }
            }
            kernels.convWindowFromPortable(st, window, channels, keep, st, window);
        }
    }
}
