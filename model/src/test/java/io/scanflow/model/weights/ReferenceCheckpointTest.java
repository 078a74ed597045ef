package io.scanflow.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Checkpoints written by Hugging Face transformers, shared with the other modules' tests. */
class ReferenceCheckpointTest {

    private static Path model(String name) {
        String testdata = System.getProperty("scanflow.testdata");
        assertTrue(testdata != null, "system property scanflow.testdata is not set");
        return Path.of(testdata, "models", name);
    }

    @Test
    void f32CheckpointHasTheConfiguredShapes() {
        try (Checkpoint c = Checkpoint.open(model("mamba1-tied"))) {
            assertEquals(DType.F32, c.info("backbone.embeddings.weight").dtype());
            assertEquals(64 * 4, c.floats("backbone.layers.0.mixer.conv1d.weight", 64, 1, 4).length);
            assertEquals("pt", c.metadata().get("format"));
            c.requireNoUnexpected(c.names());
        }
    }

    @Test
    void halfPrecisionCopiesAgreeWithF32WithinRounding() {
        assertCastAgrees("mamba1-tied-f16", DType.F16, 0x1p-11, 0x1p-25);
        assertCastAgrees("mamba1-tied-bf16", DType.BF16, 0x1p-8, 0);
    }

    /** Round-to-nearest into {@code dtype} moves a value by at most {@code relative} of it (plus {@code absolute} below the normal range). */
    private static void assertCastAgrees(String copy, DType dtype, double relative, double absolute) {
        try (Checkpoint f32 = Checkpoint.open(model("mamba1-tied")); Checkpoint cast = Checkpoint.open(model(copy))) {
            assertEquals(f32.names(), cast.names());
            for (String name : f32.names()) {
                TensorInfo info = cast.info(name);
                assertEquals(dtype, info.dtype(), name);
                float[] exact = f32.floats(name);
                float[] rounded = cast.floats(name, f32.info(name).shape());
                for (int i = 0; i < exact.length; i++) {
                    double error = Math.abs((double) exact[i] - rounded[i]);
                    double bound = relative * Math.abs(exact[i]) + absolute;
                    int at = i;
                    assertTrue(error <= bound, () -> copy + " " + name + "[" + at + "]: " + exact[at] + " vs " + rounded[at]);
                }
            }
        }
    }

    @Test
    void shardedCheckpointListsEveryIndexedTensor() throws IOException {
        Path dir = model("mamba2-groups-sharded");
        JsonNode index = new ObjectMapper().readTree(dir.resolve(ShardIndex.FILE_NAME).toFile());
        Set<String> listed = new TreeSet<>();
        index.get("weight_map").fieldNames().forEachRemaining(listed::add);
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(listed, c.names());
            assertEquals(23, c.names().size());
            assertEquals(dir.resolve("model-00002-of-00002.safetensors"), c.info("lm_head.weight").file());
            assertEquals("90352", c.metadata().get("total_size"));
            long bytes = 0;
            for (String name : c.names()) {
                bytes += (long) c.floats(name).length * 4;
            }
            assertEquals(90352, bytes);
        }
    }
}
