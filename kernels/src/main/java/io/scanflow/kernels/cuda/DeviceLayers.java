package io.scanflow.kernels.cuda;

import io.scanflow.model.config.ModelConfig;

/**
 * The model's layers on the device around the mixers: the embedding gather, each layer's RMSNorm and mixer,
 * the final norm and the LM head (the embedding when tied), with the activations of up to {@code maxRows}
 * rows ({@link #residual} and {@link #normed}) and the logits of up to {@code logitRows} rows.
 */
final class DeviceLayers implements AutoCloseable {
    final int hidden, vocab, logitRows;
    final DeviceBuffer residual, normed, logits;
    private final Launcher l;
    private final DeviceMixer mixer;
    private final int layers;
    private final float eps;
    private final long embedding, finalNorm, lmHead;
    private final long[] layerNorm;
    private final DeviceResources buffers = new DeviceResources();

    DeviceLayers(ModelConfig cfg, DeviceWeights w, DeviceMixer mixer, Launcher launcher, int maxRows, int logitRows) {
        this.l = launcher;
        this.mixer = mixer;
        this.hidden = cfg.hiddenSize();
        this.vocab = cfg.vocabSize();
        this.layers = cfg.numLayers();
        this.logitRows = logitRows;
        this.eps = cfg.normEpsilon();
        this.embedding = w.require("embedding");
        this.finalNorm = w.require("norm_f");
        long head = w.ptr("lm_head");
        this.lmHead = head != 0 ? head : embedding;
        this.layerNorm = new long[layers];
        for (int i = 0; i < layers; i++) {
            layerNorm[i] = w.require(i + ".norm");
        }
        try {
            residual = buffers.floats((long) maxRows * hidden, "residual");
            normed = buffers.floats((long) maxRows * hidden, "normed");
            logits = buffers.floats((long) logitRows * vocab, "logits");
        } catch (RuntimeException e) {
            buffers.close();
            throw e;
        }
    }

    /** The LM head's weight (the embedding when tied). */
    long lmHead() {
        return lmHead;
    }

    /** Embeds {@code rows} tokens and runs every layer over them in prefill form ({@code pass} packs the requests). */
    void prefill(long tokens, int rows, DeviceMixer.Pass pass) {
        l.embed(tokens, embedding, residual.address(), rows, hidden);
        for (int layer = 0; layer < layers; layer++) {
            l.rmsnorm(residual.address(), 0L, layerNorm[layer], eps, normed.address(), rows, hidden);
            mixer.prefill(layer, normed.address(), residual.address(), rows, pass);
        }
    }

    /** Embeds one token per slot and runs every layer as a batched step ({@code pass.slots}: row b's slot). */
    void step(long tokens, int count, DeviceMixer.Pass pass) {
        l.embed(tokens, embedding, residual.address(), count, hidden);
        for (int layer = 0; layer < layers; layer++) {
            l.rmsnorm(residual.address(), 0L, layerNorm[layer], eps, normed.address(), count, hidden);
            mixer.step(layer, normed.address(), residual.address(), count, pass);
        }
    }

    /** out[r] = final RMSNorm of residual[rowIndex[r]] (or residual[r] for rowIndex 0), {@code rows} rows. */
    void finalNorm(long rowIndex, long out, int rows) {
        l.rmsnorm(residual.address(), rowIndex, finalNorm, eps, out, rows, hidden);
    }

    /** {@link #logits} rows [0, rows) = the LM head of {@code rows} rows of final hidden states at {@code hiddenRows}. */
    void head(long hiddenRows, int rows) {
        l.gemm(hiddenRows, hidden, lmHead, hidden, 0L, logits.address(), vocab, rows, vocab, hidden, false);
    }

    @Override
    public void close() {
        buffers.close();
    }
}
