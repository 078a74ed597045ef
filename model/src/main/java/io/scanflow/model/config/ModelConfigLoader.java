package io.scanflow.model.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads {@code config.json} in either layout and returns the architecture it describes.
 *
 * <p>Hugging Face writes {@code MambaConfig} / {@code Mamba2Config} ({@code hidden_size},
 * {@code model_type}); the original state-spaces code writes {@code d_model}, {@code n_layer} and an
 * {@code ssm_cfg} object. Defaults are those of the respective origin, so a sparse config means what its
 * author meant.
 */
public final class ModelConfigLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelConfigLoader() {}

    /** Loads {@code directory/config.json}. */
    public static ModelConfig load(Path directory) {
        Path file = directory.resolve("config.json");
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "no config.json in the model folder", e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(file, "not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
        } catch (IOException e) {
            throw new ConfigException(file, "cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file, "(root)", "expected a JSON object");
        }
        JsonFields fields = new JsonFields(file, root);
        try {
            return parse(fields, root);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file, "inconsistent architecture: " + e.getMessage(), e);
        }
    }

    private static ModelConfig parse(JsonFields fields, JsonNode root) {
        Path file = fields.file();
        if (root.has("d_model")) {
            return stateSpaces(fields);
        }
        String type = fields.string("model_type", "");
        if (type.isEmpty() && root.has("num_heads") && root.has("head_dim")) {
            type = "mamba2";
        }
        switch (type) {
            case "mamba":
            case "":
                return huggingFaceMamba(fields);
            case "mamba2":
                return huggingFaceMamba2(fields);
            default:
                throw new ConfigException(file, "model_type", "unsupported model type '" + type
                        + "' (supported: mamba, mamba2, or the state-spaces layout with d_model)");
        }
    }

    /** Token models must say their vocabulary; a feature-input model may have none. */
    private static int vocabulary(JsonFields f) {
        return f.integer("input_features", 0) > 0 ? f.integer("vocab_size", 0) : f.requiredInt("vocab_size");
    }

    private static MambaConfig huggingFaceMamba(JsonFields f) {
        int hidden = f.requiredInt("hidden_size");
        int intermediate = f.has("intermediate_size")
                ? f.requiredInt("intermediate_size")
                : ConfigChecks.derived("intermediate_size (expand x hidden_size)", f.decimal("expand", 2) * hidden);
        return new MambaConfig(
                vocabulary(f),
                hidden,
                f.integer("state_size", 16),
                f.requiredInt("num_hidden_layers"),
                intermediate,
                f.integer("conv_kernel", 4),
                f.rank("time_step_rank", hidden),
                f.bool("use_bias", false),
                f.bool("use_conv_bias", true),
                (float) f.decimal("layer_norm_epsilon", 1e-5),
                f.bool("tie_word_embeddings", true),
                CheckpointLayout.HUGGING_FACE,
                f.integer("input_features", 0));
    }

    private static Mamba2Config huggingFaceMamba2(JsonFields f) {
        int hidden = f.requiredInt("hidden_size");
        int heads = f.integer("num_heads", 128);
        int headDim = f.integer("head_dim", 64);
        int intermediate = ConfigChecks.derived("intermediate_size (expand x hidden_size)", f.decimal("expand", 2) * hidden);
        float[] limit = f.limit("time_step_limit");
        return new Mamba2Config(
                vocabulary(f),
                hidden,
                f.integer("state_size", 128),
                f.requiredInt("num_hidden_layers"),
                intermediate,
                heads,
                headDim,
                f.integer("n_groups", 8),
                f.integer("conv_kernel", 4),
                f.integer("chunk_size", 256),
                f.bool("use_bias", false),
                f.bool("use_conv_bias", true),
                (float) f.decimal("layer_norm_epsilon", 1e-5),
                f.bool("tie_word_embeddings", false),
                limit[0],
                limit[1],
                intermediate, // HF's MambaRMSNormGated normalises the whole vector, whatever n_groups is
                CheckpointLayout.HUGGING_FACE,
                f.integer("input_features", 0));
    }

    private static ModelConfig stateSpaces(JsonFields f) {
        if (f.integer("d_intermediate", 0) != 0) {
            throw new ConfigException(f.file(), "d_intermediate", "MLP blocks between mixers are not supported");
        }
        if (f.has("attn_layer_idx") && f.node("attn_layer_idx").size() > 0) {
            throw new ConfigException(f.file(), "attn_layer_idx", "hybrid attention layers are not supported");
        }
        if (!f.bool("rms_norm", true)) {
            throw new ConfigException(f.file(), "rms_norm", "LayerNorm models are not supported (only RMSNorm)");
        }
        int dModel = f.requiredInt("d_model");
        int vocab = f.requiredInt("vocab_size");
        int multiple = f.integer("pad_vocab_size_multiple", 8);
        if (multiple <= 0) {
            throw new ConfigException(f.file(), "pad_vocab_size_multiple", "must be positive, found " + multiple);
        }
        // mamba_ssm pads the embedding (and so the logits) up to a multiple; the checkpoint has the padded rows.
        int padded = ConfigChecks.derived("the padded vocabulary", Math.ceil((double) vocab / multiple) * multiple);
        JsonFields ssm = f.object("ssm_cfg");
        String layer = ssm.string("layer", "Mamba1");
        float eps = (float) f.decimal("norm_epsilon", 1e-5);
        boolean tie = f.bool("tie_embeddings", true);
        int nLayer = f.requiredInt("n_layer");
        int expand = ssm.integer("expand", 2);
        int intermediate = ConfigChecks.derived("d_inner (expand x d_model)", (double) expand * dModel);
        switch (layer) {
            case "Mamba1":
                return new MambaConfig(padded, dModel, ssm.integer("d_state", 16), nLayer, intermediate,
                        ssm.integer("d_conv", 4), ssm.rank("dt_rank", dModel), ssm.bool("bias", false),
                        ssm.bool("conv_bias", true), eps, tie, CheckpointLayout.STATE_SPACES, 0);
            case "Mamba2": {
                int headDim = ssm.integer("headdim", 64);
                int groups = ssm.integer("ngroups", 1);
                if (ssm.has("d_ssm") && !ssm.node("d_ssm").isNull()
                        && ssm.requiredInt("d_ssm") != intermediate) {
                    throw new ConfigException(ssm.file(), "ssm_cfg.d_ssm", "partial SSM width (d_ssm != d_inner) is not supported");
                }
                if (ssm.bool("norm_before_gate", false)) {
                    throw new ConfigException(ssm.file(), "ssm_cfg.norm_before_gate", "only norm_before_gate=false is supported");
                }
                float[] limit = ssm.limit("dt_limit");
                return new Mamba2Config(padded, dModel, ssm.integer("d_state", 128), nLayer, intermediate,
                        intermediate / headDim, headDim, groups, ssm.integer("d_conv", 4),
                        ssm.integer("chunk_size", 256), ssm.bool("bias", false), ssm.bool("conv_bias", true),
                        eps, tie, limit[0], limit[1], intermediate / groups, CheckpointLayout.STATE_SPACES, 0);
            }
            default:
                throw new ConfigException(f.file(), "ssm_cfg.layer", "unsupported layer '" + layer + "' (Mamba1 or Mamba2)");
        }
    }
}
