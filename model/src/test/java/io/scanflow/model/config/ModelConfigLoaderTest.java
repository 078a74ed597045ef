package io.scanflow.model.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigLoaderTest {
    @TempDir
    Path dir;

    private ModelConfig load(String json) throws IOException {
        Files.writeString(dir.resolve("config.json"), json);
        return ModelConfigLoader.load(dir);
    }

    @Test
    void huggingFaceMambaWithAutoRankAndDefaults() throws IOException {
        MambaConfig c = (MambaConfig) load("{\"model_type\":\"mamba\",\"vocab_size\":50280,\"hidden_size\":768,"
                + "\"num_hidden_layers\":24,\"time_step_rank\":\"auto\",\"residual_in_fp32\":true}");
        assertEquals(48, c.dtRank(), "auto rank is ceil(768 / 16)");
        assertEquals(1536, c.intermediateSize(), "expand defaults to 2");
        assertEquals(16, c.stateSize());
        assertEquals(4, c.convKernel());
        assertTrue(c.tieEmbeddings(), "HF MambaConfig ties embeddings by default");
        assertTrue(c.useConvBias());
        assertEquals(1e-5f, c.normEpsilon());
        assertEquals(CheckpointLayout.HUGGING_FACE, c.layout());
        assertEquals(24L * 1536 * (16 + 3), c.stateFloats());
    }

    @Test
    void mamba2TimeStepLimitWrittenAsFloatObject() throws IOException {
        Mamba2Config c = (Mamba2Config) load("{\"model_type\":\"mamba2\",\"vocab_size\":100,\"hidden_size\":64,"
                + "\"num_hidden_layers\":2,\"num_heads\":8,\"head_dim\":16,\"n_groups\":2,\"state_size\":16,"
                + "\"time_step_limit\":[0.0,{\"__float__\":\"Infinity\"}],\"tie_word_embeddings\":true}");
        assertEquals(0f, c.dtMin());
        assertEquals(Float.POSITIVE_INFINITY, c.dtMax());
        assertEquals(128, c.normGroupSize(), "HF normalises the whole inner vector");
        assertEquals(128 + 2 * 2 * 16, c.convDim());
    }

    @Test
    void stateSpacesLayoutPadsTheVocabulary() throws IOException {
        MambaConfig c = (MambaConfig) load("{\"d_model\":768,\"n_layer\":24,\"vocab_size\":50277,"
                + "\"ssm_cfg\":{},\"rms_norm\":true,\"residual_in_fp32\":true,\"fused_add_norm\":true,"
                + "\"pad_vocab_size_multiple\":8,\"tie_embeddings\":true}");
        assertEquals(50280, c.vocabSize());
        assertEquals(CheckpointLayout.STATE_SPACES, c.layout());
        assertEquals(48, c.dtRank());
    }

    @Test
    void stateSpacesMamba2NormalisesPerGroup() throws IOException {
        Mamba2Config c = (Mamba2Config) load("{\"d_model\":256,\"n_layer\":2,\"vocab_size\":16,"
                + "\"ssm_cfg\":{\"layer\":\"Mamba2\",\"headdim\":32,\"ngroups\":4,\"d_state\":64}}");
        assertEquals(16, c.numHeads());
        assertEquals(128, c.normGroupSize(), "mamba_ssm normalises each of the 4 groups of 128 channels");
    }

    @Test
    void errorsNameTheFileAndField() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> load("{\"model_type\":\"mamba\",\"vocab_size\":50,\"hidden_size\":\"wide\",\"num_hidden_layers\":2}"));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("'hidden_size'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("{\"model_type\":\"mamba\",\"vocab_size\":50}"));
        assertTrue(e.getMessage().contains("'hidden_size': missing"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("{\"model_type\":\"llama\"}"));
        assertTrue(e.getMessage().contains("unsupported model type 'llama'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("{\"model_type\": "));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> load("{\"d_model\":8,\"n_layer\":1,\"vocab_size\":4,\"ssm_cfg\":{\"layer\":\"Mamba3\"}}"));
        assertTrue(e.getMessage().contains("'ssm_cfg.layer'"), e.getMessage());
    }

    @Test
    void inconsistentMamba2ShapesAreRejected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> load("{\"model_type\":\"mamba2\",\"vocab_size\":100,\"hidden_size\":64,\"num_hidden_layers\":2,"
                        + "\"num_heads\":8,\"head_dim\":8}"));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("num_heads * head_dim"), e.getMessage());
    }

    @Test
    void missingConfigIsNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfigLoader.load(dir));
        assertTrue(e.getMessage().contains("no config.json"), e.getMessage());
    }
}
