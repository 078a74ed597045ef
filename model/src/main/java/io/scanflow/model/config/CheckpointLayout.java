package io.scanflow.model.config;

/**
 * Where a checkpoint came from. The two origins name their tensors differently and, for Mamba-2,
 * compute the gated RMSNorm differently (see docs/models.md), so the layout travels with the config.
 */
public enum CheckpointLayout {
    /** Hugging Face transformers: {@code backbone.embeddings.weight}, {@code MambaConfig} keys. */
    HUGGING_FACE("backbone.embeddings.weight"),
    /** The original state-spaces/mamba ({@code mamba_ssm}) layout: {@code backbone.embedding.weight}, {@code d_model}. */
    STATE_SPACES("backbone.embedding.weight");

    private final String embeddingTensor;

    CheckpointLayout(String embeddingTensor) {
        this.embeddingTensor = embeddingTensor;
    }

    /** Name of the token embedding tensor. */
    public String embeddingTensor() {
        return embeddingTensor;
    }

    /** Prefix of layer {@code layer}'s tensor names. */
    public String layerPrefix(int layer) {
        return "backbone.layers." + layer + ".";
    }

    /** Name of the final norm's weight tensor. */
    public String finalNormTensor() {
        return "backbone.norm_f.weight";
    }

    /** Name of the language-model head tensor (absent when tied to the embedding). */
    public String lmHeadTensor() {
        return "lm_head.weight";
    }
}
