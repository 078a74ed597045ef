package io.scanflow.model.mamba;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.testing.Fixture;
import io.scanflow.model.weights.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint that does not fit its config is rejected with the tensor and the shape it should have. */
class CheckpointAgainstConfigTest {
    @TempDir
    Path dir;

    private Path copyWithConfig(String fixture, String from, String to) throws IOException {
        Path src = Fixture.root().resolve("models").resolve(fixture);
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        String config = Files.readString(src.resolve("config.json"));
        assertTrue(config.contains(from), "fixture config contains " + from);
        Files.writeString(dir.resolve("config.json"), config.replace(from, to));
        return dir;
    }

    @Test
    void wrongShapeForTheConfigNamesTensorAndShapes() throws IOException {
        Path model = copyWithConfig("mamba1-tied", "\"state_size\": 8", "\"state_size\": 9");
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load(model));
        assertTrue(e.getMessage().contains("backbone.layers.0.mixer.A_log"), e.getMessage());
        assertTrue(e.getMessage().contains("[64, 9]") && e.getMessage().contains("[64, 8]"), e.getMessage());
    }

    @Test
    void untiedConfigWithoutHeadIsAMissingTensor() throws IOException {
        Path model = copyWithConfig("mamba1-tied", "\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false");
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load(model));
        assertTrue(e.getMessage().contains("lm_head.weight"), e.getMessage());
    }

    @Test
    void tensorsTheConfigDoesNotExplainAreUnexpected() throws IOException {
        Path model = copyWithConfig("mamba1-untied-bias", "\"num_hidden_layers\": 3", "\"num_hidden_layers\": 2");
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load(model));
        assertTrue(e.getMessage().contains("backbone.layers.2."), e.getMessage());
    }

    @Test
    void biasSwitchedOnWithoutBiasTensorsIsNamed() throws IOException {
        Path model = copyWithConfig("mamba1-tied", "\"use_bias\": false", "\"use_bias\": true");
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load(model));
        assertTrue(e.getMessage().contains("in_proj.bias"), e.getMessage());
    }
}
