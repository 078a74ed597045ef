package io.scanflow.model.config;

/**
 * Mamba-1 (selective SSM, "S6") architecture.
 *
 * @param vocabSize        embedding rows (for the state-spaces layout: padded to {@code pad_vocab_size_multiple})
 * @param hiddenSize       D, the residual stream width ({@code hidden_size} / {@code d_model})
 * @param stateSize        N, the SSM state per channel ({@code state_size} / {@code d_state})
 * @param numLayers        L, the number of blocks
 * @param intermediateSize E*D, the mixer width ({@code intermediate_size} / {@code expand * d_model})
 * @param convKernel       K, the causal depthwise conv width
 * @param dtRank           R, the low rank of the delta projection
 * @param useBias          in_proj / out_proj carry a bias
 * @param useConvBias      conv1d carries a bias
 * @param normEpsilon      RMSNorm epsilon
 * @param tieEmbeddings    the LM head reuses the embedding matrix
 * @param inputFeatures    feature width for feature-input models (0: token input)
 */
public record MambaConfig(
        int vocabSize,
        int hiddenSize,
        int stateSize,
        int numLayers,
        int intermediateSize,
        int convKernel,
        int dtRank,
        boolean useBias,
        boolean useConvBias,
        float normEpsilon,
        boolean tieEmbeddings,
        CheckpointLayout layout,
        int inputFeatures)
        implements ModelConfig {

    /** Checks the sizes. */
    public MambaConfig {
        ConfigChecks.inputs(vocabSize, inputFeatures);
        ConfigChecks.positive("hidden_size", hiddenSize);
        ConfigChecks.positive("state_size", stateSize);
        ConfigChecks.positive("num_hidden_layers", numLayers);
        ConfigChecks.positive("intermediate_size", intermediateSize);
        ConfigChecks.positive("conv_kernel", convKernel);
        ConfigChecks.positive("time_step_rank", dtRank);
        ConfigChecks.fitsArray("the embedding", Math.max(vocabSize, inputFeatures), hiddenSize);
        ConfigChecks.fitsArray("in_proj.weight", 2L * intermediateSize, hiddenSize);
        ConfigChecks.fitsArray("x_proj.weight", (long) dtRank + 2L * stateSize, intermediateSize);
        ConfigChecks.fitsArray("A_log", intermediateSize, stateSize);
        ConfigChecks.fitsArray("the state of one layer", intermediateSize, (long) stateSize + convKernel - 1);
    }

    @Override
    public String architecture() {
        return "mamba";
    }

    @Override
    public long stateFloats() {
        return (long) numLayers * intermediateSize * (stateSize + convKernel - 1);
    }
}
