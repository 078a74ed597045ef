package io.scanflow.model.mamba;

import io.scanflow.model.config.ModelConfig;

/** The LM head is either its own tensor or, when tied, the embedding matrix itself. */
final class LmHead {
    private LmHead() {}

    static float[] read(WeightReader w, ModelConfig cfg, float[] embedding) {
        String name = cfg.layout().lmHeadTensor();
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
