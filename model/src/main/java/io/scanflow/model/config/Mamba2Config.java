package io.scanflow.model.config;

/**
 * Mamba-2 (SSD) architecture: one scalar decay per head, B and C shared by groups of heads.
 *
 * @param numHeads      H, heads of width {@code headDim}; H * headDim = intermediateSize
 * @param numGroups     G, the number of B/C groups ({@code n_groups} / {@code ngroups})
 * @param chunkSize     block length of the SSD (quadratic inside a block, recurrent across blocks) in prefill
 * @param dtMin         lower clamp of delta after softplus ({@code time_step_limit[0]})
 * @param dtMax         upper clamp of delta after softplus ({@code time_step_limit[1]}, may be +infinity)
 * @param normGroupSize width of the groups the gated RMSNorm normalises over: HF normalises the whole
 *                      intermediate vector, mamba_ssm each of the G groups (docs/models.md)
 * @param inputFeatures feature width for feature-input models (0: token input)
 */
public record Mamba2Config(
        int vocabSize,
        int hiddenSize,
        int stateSize,
        int numLayers,
        int intermediateSize,
        int numHeads,
        int headDim,
        int numGroups,
        int convKernel,
        int chunkSize,
        boolean useBias,
        boolean useConvBias,
        float normEpsilon,
        boolean tieEmbeddings,
        float dtMin,
        float dtMax,
        int normGroupSize,
        CheckpointLayout layout,
        int inputFeatures)
        implements ModelConfig {

    /** Checks the sizes. */
    public Mamba2Config {
        ConfigChecks.inputs(vocabSize, inputFeatures);
        ConfigChecks.positive("hidden_size", hiddenSize);
        ConfigChecks.positive("state_size", stateSize);
        ConfigChecks.positive("num_hidden_layers", numLayers);
        ConfigChecks.positive("num_heads", numHeads);
        ConfigChecks.positive("head_dim", headDim);
        ConfigChecks.positive("n_groups", numGroups);
        ConfigChecks.positive("conv_kernel", convKernel);
        ConfigChecks.positive("chunk_size", chunkSize);
        ConfigChecks.fitsArray("the embedding", Math.max(vocabSize, inputFeatures), hiddenSize);
        ConfigChecks.fitsArray("in_proj.weight", 2L * intermediateSize + 2L * numGroups * stateSize + numHeads, hiddenSize);
        ConfigChecks.fitsArray("the SSM state of one layer", (long) numHeads * headDim, stateSize);
        if ((long) numHeads * headDim != intermediateSize) {
            throw new IllegalArgumentException("num_heads * head_dim (" + numHeads + " * " + headDim
                    + ") must equal the intermediate size " + intermediateSize);
        }
        if (numHeads % numGroups != 0) {
            throw new IllegalArgumentException("num_heads " + numHeads + " is not a multiple of n_groups " + numGroups);
        }
        if (intermediateSize % normGroupSize != 0) {
            throw new IllegalArgumentException("gated norm group size " + normGroupSize
                    + " does not divide the intermediate size " + intermediateSize);
        }
        if (!(dtMin >= 0f) || !(dtMax >= dtMin)) {
            throw new IllegalArgumentException("time_step_limit must satisfy 0 <= min <= max, found ["
                    + dtMin + ", " + dtMax + "]");
        }
    }

    @Override
    public String architecture() {
        return "mamba2";
    }

    /** Channels that go through the causal conv: x, B and C. */
    public int convDim() {
        return intermediateSize + 2 * numGroups * stateSize;
    }

    /** in_proj output: z (gate), x, B, C and one delta per head. */
    public int inProjSize() {
        return intermediateSize + convDim() + numHeads;
    }

    @Override
    public long stateFloats() {
        return (long) numLayers * ((long) numHeads * headDim * stateSize + (long) convDim() * (convKernel - 1));
    }
}
