package io.scanflow.model.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The Transformer-PSM: a prefix-scannable model whose state is {@code c} vectors of width
 * {@code d} and whose {@code Enc}, {@code Agg} and {@code Inf} are small pre-norm transformers
 * (see {@code io.scanflow.model.psm.transformer} and docs/psm.md). Read from a ScanFlow
 * {@code config.json} with {@code "model_type": "transformer_psm"}.
 *
 * @param vocabSize        V: token ids in [0, V); also the logits width
 * @param hiddenSize       d: the width of every state vector and every transformer row
 * @param numHeads         H: attention heads (d divisible by H)
 * @param chunkSize        c: tokens per chunk, and vectors per state
 * @param intermediateSize f: MLP width
 * @param encLayers        blocks in Enc (bidirectional over the c chunk tokens)
 * @param aggLayers        blocks in Agg (bidirectional over the 2c rows [left; right])
 * @param infLayers        blocks in Inf (causal over the up to 2c rows [prefix; chunk])
 * @param normEpsilon      RMSNorm epsilon
 * @param tieEmbeddings    the LM head reuses the embedding matrix
 * @param maxChunksLog2    K: a per-key stream state holds roots of levels 0..K-1, so a stream
 *                         may have at most 2^K - 1 full chunks (K at most 24, so that the chunk
 *                         count is exact in a float)
 */
public record TransformerPsmConfig(
        int vocabSize,
        int hiddenSize,
        int numHeads,
        int chunkSize,
        int intermediateSize,
        int encLayers,
        int aggLayers,
        int infLayers,
        float normEpsilon,
        boolean tieEmbeddings,
        int maxChunksLog2)
        implements ModelConfig {

    /** The {@code model_type} in config.json. */
    public static final String MODEL_TYPE = "transformer_psm";
    /** The largest {@code max_chunks_log2}: 2^24 is the last integer below which floats are exact. */
    public static final int MAX_CHUNKS_LOG2_LIMIT = 24;
    /** Floats before the pending tokens in a stream state: chunk count and pending count. */
    public static final int STATE_HEADER_FLOATS = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Checks the sizes. */
    public TransformerPsmConfig {
        ConfigChecks.positive("vocab_size", vocabSize);
        ConfigChecks.positive("hidden_size", hiddenSize);
        ConfigChecks.positive("num_heads", numHeads);
        ConfigChecks.positive("chunk_size", chunkSize);
        ConfigChecks.positive("intermediate_size", intermediateSize);
        ConfigChecks.positive("enc_layers", encLayers);
        ConfigChecks.positive("agg_layers", aggLayers);
        ConfigChecks.positive("inf_layers", infLayers);
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not divisible by num_heads " + numHeads);
        }
        if (!(normEpsilon > 0)) {
            throw new IllegalArgumentException("norm_epsilon must be positive, found " + normEpsilon);
        }
        if (maxChunksLog2 < 1 || maxChunksLog2 > MAX_CHUNKS_LOG2_LIMIT) {
            throw new IllegalArgumentException("max_chunks_log2 must be in 1.." + MAX_CHUNKS_LOG2_LIMIT
                    + ", found " + maxChunksLog2);
        }
    }

    @Override
    public String architecture() {
        return "transformer-psm";
    }

    @Override
    public int inputFeatures() {
        return 0;
    }

    /** All blocks: Enc, Agg and Inf together. */
    @Override
    public int numLayers() {
        return encLayers + aggLayers + infLayers;
    }

    /**
     * A ScanFlow model folder (config.json plus safetensors) with its own tensor names (docs/psm.md);
     * only the folder convention of the Hugging Face layout applies.
     */
    @Override
    public CheckpointLayout layout() {
        return CheckpointLayout.HUGGING_FACE;
    }

    /** d / H. */
    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Floats of one PSM state: c vectors of width d. */
    public int stateWidth() {
        return chunkSize * hiddenSize;
    }

    /**
     * Floats of the per-key stream state (a fixed-capacity binary counter, see
     * {@code TransformerPsmModel}): {@code 2 + c + 2 K c d}: the chunk and pending counts, c
     * pending-token slots, then one root and one cached fold per level {@code 0..K-1}.
     */
    @Override
    public long stateFloats() {
        return STATE_HEADER_FLOATS + chunkSize + 2L * maxChunksLog2 * stateWidth();
    }

    /** Whether {@code directory/config.json} names this architecture (false when it is missing or unreadable). */
    public static boolean describes(Path directory) {
        try {
            JsonNode root = JSON.readTree(Files.readString(directory.resolve("config.json")));
            return root != null && root.isObject() && root.has("model_type")
                    && MODEL_TYPE.equals(root.get("model_type").asText());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Reads {@code directory/config.json}; errors name the file and the field. */
    public static TransformerPsmConfig load(Path directory) {
        Path file = directory.resolve("config.json");
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "no config.json in the model folder", e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException(file, "cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file, "(root)", "expected a JSON object");
        }
        JsonFields f = new JsonFields(file, root);
        String type = f.string("model_type", "");
        if (!MODEL_TYPE.equals(type)) {
            throw new ConfigException(file, "model_type", "expected '" + MODEL_TYPE + "', found '" + type + "'");
        }
        try {
            return new TransformerPsmConfig(
                    f.requiredInt("vocab_size"),
                    f.requiredInt("hidden_size"),
                    f.requiredInt("num_heads"),
                    f.requiredInt("chunk_size"),
                    f.requiredInt("intermediate_size"),
                    f.requiredInt("enc_layers"),
                    f.requiredInt("agg_layers"),
                    f.requiredInt("inf_layers"),
                    (float) f.decimal("norm_epsilon", 1e-5),
                    f.bool("tie_word_embeddings", false),
                    f.integer("max_chunks_log2", MAX_CHUNKS_LOG2_LIMIT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file, "inconsistent architecture: " + e.getMessage(), e);
        }
    }
}
