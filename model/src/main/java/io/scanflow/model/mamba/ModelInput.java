package io.scanflow.model.mamba;

import io.scanflow.model.config.ModelConfig;
import io.scanflow.model.math.Kernels;

/**
 * How positions enter the residual stream: a token embedding lookup, or (a ScanFlow extension for
 * audio features and other real-valued inputs) a linear projection {@code backbone.input_proj} of a
 * feature vector.
 */
final class ModelInput {
    static final String PROJECTION = "backbone.input_proj.";

    private final int hidden;
    private final int vocab;
    private final int features;
    private final float[] embedding;
    private final float[] projection;
    private final float[] projectionBias;

    private ModelInput(int hidden, int vocab, int features, float[] embedding, float[] projection, float[] bias) {
        this.hidden = hidden;
        this.vocab = vocab;
        this.features = features;
        this.embedding = embedding;
        this.projection = projection;
        this.projectionBias = bias;
    }

    /** Reads the embedding (token models) or the input projection (feature models). */
    static ModelInput read(WeightReader w, ModelConfig cfg, Kernels kernels) {
        int d = cfg.hiddenSize();
        if (cfg.inputFeatures() == 0) {
            return new ModelInput(d, cfg.vocabSize(), 0,
                    w.read(cfg.layout().embeddingTensor(), cfg.vocabSize(), d), null, null);
        }
        int f = cfg.inputFeatures();
        return new ModelInput(d, cfg.vocabSize(), f, null,
                kernels.prepareLinear(w.read(PROJECTION + "weight", d, f), d, f), w.read(PROJECTION + "bias", d));
    }

    /** The embedding matrix, which a tied LM head shares; null for feature models. */
    float[] embedding() {
        return embedding;
    }

    void requireTokens() {
        if (embedding == null) {
            throw new UnsupportedOperationException("this model takes " + features + "-wide feature vectors, not tokens");
        }
    }

    void requireFeatures(float[] input, int offset, int rows) {
        if (projection == null) {
            throw new UnsupportedOperationException("this model takes tokens, not feature vectors");
        }
        if ((long) (offset + rows) * features > input.length) {
            throw new IllegalArgumentException("feature array holds " + input.length / features + " rows of width "
                    + features + ", rows up to " + (offset + rows) + " were asked for");
        }
    }

    void embed(int[] tokens, int offset, int rows, float[] out) {
        for (int r = 0; r < rows; r++) {
            int token = tokens[offset + r];
            if (token < 0 || token >= vocab) {
                throw new IllegalArgumentException("token " + token + " at position " + (offset + r)
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
            System.arraycopy(embedding, token * hidden, out, r * hidden, hidden);
        }
    }

    void project(Kernels kernels, float[] input, int offset, int rows, float[] out) {
        kernels.linear(input, offset * features, features, rows, features, projection, projectionBias, hidden, out, 0, hidden);
    }
}
