package io.scanflow.model.mamba;

import io.scanflow.model.config.ModelConfig;

/** The LM head is either its own tensor or, when tied, the embedding matrix itself. */
final class LmHead {
    private LmHead() {}

    /** @return null for a feature-input model without vocabulary (an encoder or classifier backbone) */
    static float[] read(WeightReader w, ModelConfig cfg, float[] embedding) {
        String name = cfg.layout().lmHeadTensor();
        if (cfg.vocabSize() == 0) {
            return null;
        }
        if (embedding == null && cfg.tieEmbeddings()) {
            throw new IllegalArgumentException("a feature-input model has no embedding to tie its LM head to: "
                    + "set tie_word_embeddings to false");
        }
        if (cfg.tieEmbeddings()) {
            // Some exporters write the tied copy anyway; it must then match the embedding's shape.
            if (w.contains(name)) {
                w.read(name, cfg.vocabSize(), cfg.hiddenSize());
            }
            return embedding;
        }
        return w.read(name, cfg.vocabSize(), cfg.hiddenSize());
    }
}
