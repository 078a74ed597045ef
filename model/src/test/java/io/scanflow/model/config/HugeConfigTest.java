package io.scanflow.model.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sizes beyond what an int or a Java array holds are named in the config, not clamped or wrapped later. */
class HugeConfigTest {
    @TempDir
    Path dir;

    private String refused(String json) throws IOException {
        Files.writeString(dir.resolve("config.json"), json);
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfigLoader.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("config.json").toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aHiddenSizeBeyondAnIntIsNotClamped() throws IOException {
        String m = refused("{\"model_type\": \"mamba\", \"vocab_size\": 16, \"hidden_size\": 1e12, \"num_hidden_layers\": 1}");
        assertTrue(m.contains("hidden_size") && m.contains("expected an integer of at most 2147483647"), m);
    }

    @Test
    void aStateSpacesDModelWhoseInnerWidthOverflowsIsNamed() throws IOException {
        String m = refused("{\"d_model\": 2147483647, \"n_layer\": 1, \"vocab_size\": 16, \"ssm_cfg\": {}}");
        assertTrue(m.contains("d_inner (expand x d_model) is 4294967294, more than the largest dimension"), m);
    }

    @Test
    void aWeightLargerThanOneJavaArrayIsNamedWithItsShape() throws IOException {
        String m = refused("{\"model_type\": \"mamba\", \"vocab_size\": 16, \"hidden_size\": 100000, \"num_hidden_layers\": 1}");
        assertTrue(m.contains("in_proj.weight would be [400000, 100000]") && m.contains("more than one Java array holds"), m);
        String m2 = refused("{\"model_type\": \"mamba2\", \"vocab_size\": 16, \"hidden_size\": 65536, \"num_heads\": 2048,"
                + " \"head_dim\": 64, \"n_groups\": 1, \"num_hidden_layers\": 1}");
        assertTrue(m2.contains("in_proj.weight would be"), m2);
    }
}
