package io.scanflow.model.config;

/**
 * The architecture of a loadable model: what every model kind shares. Concrete kinds are records so a
 * configuration is an immutable value whose {@code toString} is a complete, canonical description.
 */
public sealed interface ModelConfig permits MambaConfig, Mamba2Config, TransformerPsmConfig {

    /** Short architecture name as shown by {@code scanflow inspect}, e.g. {@code mamba} or {@code mamba2}. */
    String architecture();

    /**
     * Number of rows of the embedding and logits width (padded, for the state-spaces layout); 0 for a
     * feature-input model without a language-model head.
     */
    int vocabSize();

    /**
     * Width of the float feature vector a feature-input model takes per position (a ScanFlow extension,
     * {@code input_features} in config.json, projected by {@code backbone.input_proj}); 0 for token input.
     */
    int inputFeatures();

    /** Hidden size (d_model). */
    int hiddenSize();

    /** Number of layers. */
    int numLayers();

    /** Tensor names of the checkpoint layout (Hugging Face or state-spaces). */
    CheckpointLayout layout();

    /** Whether the language-model head is the embedding matrix. */
    boolean tieEmbeddings();

    /** Floats of recurrent state per key (conv state and SSM state of every layer). */
    long stateFloats();

    /** Epsilon of the model's RMSNorms (per layer and final). */
    float normEpsilon();
}
