package io.scanflow.model.weights;

import static io.scanflow.model.weights.SafetensorsWriter.assertFails;
import static io.scanflow.model.weights.SafetensorsWriter.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints split over several files by a {@code model.safetensors.index.json}. */
class ShardedCheckpointTest {

    private static final String SHARD1 = "model-00001-of-00002.safetensors";
    private static final String SHARD2 = "model-00002-of-00002.safetensors";

    @TempDir
    Path dir;

    private Path index() {
        return dir.resolve(ShardIndex.FILE_NAME);
    }

    private void shards() {
        SafetensorsWriter.create().metadata("format", "pt")
                .f32("a", shape(2), 1f, 2f).f32("b", shape(1), 3f).write(dir.resolve(SHARD1));
        SafetensorsWriter.create().metadata("format", "pt")
                .f32("c", shape(1, 3), 4f, 5f, 6f).write(dir.resolve(SHARD2));
    }

    private void index(String json) {
        try {
            Files.writeString(index(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String goodIndex() {
        return "{\"metadata\": {\"total_size\": 24}, \"weight_map\": {\"a\": \"" + SHARD1 + "\", \"b\": \"" + SHARD1
                + "\", \"c\": \"" + SHARD2 + "\"}}";
    }

    @Test
    void shardedCheckpointOverTwoFilesReadsEveryTensor() {
        shards();
        index(goodIndex());
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(Set.of("a", "b", "c"), c.names());
            assertArrayEquals(new float[] {1f, 2f}, c.floats("a", 2));
            assertArrayEquals(new float[] {4f, 5f, 6f}, c.floats("c", 1, 3));
            assertEquals(dir.resolve(SHARD2), c.info("c").file());
            assertEquals(Map.of("total_size", "24", "format", "pt"), c.metadata());
            c.requireNoUnexpected(Set.of("a", "b", "c"));
        }
    }

    @Test
    void unexpectedTensorsNameTheIndex() {
        shards();
        index(goodIndex());
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertFails(() -> c.requireNoUnexpected(Set.of("a")), "2 unexpected tensors", index(), "b, c");
            assertFails(() -> c.info("d"), "missing tensor d", index());
        }
    }

    @Test
    void indexThatIsNotJsonIsNamed() {
        shards();
        index("{\"weight_map\": {\"a\": }");
        assertFails(() -> Checkpoint.open(dir), "shard index " + index(), "not valid JSON", "line 1, column");
    }

    @Test
    void indexWithoutWeightMapIsNamed() {
        shards();
        index("{\"metadata\": {}}");
        assertFails(() -> Checkpoint.open(dir), "shard index " + index(), "\"weight_map\"", "found nothing");
    }

    @Test
    void indexEntryThatIsNotAFileNameIsNamed() {
        shards();
        index("{\"weight_map\": {\"a\": 1}}");
        assertFails(() -> Checkpoint.open(dir), "shard index " + index(), "tensor a", "found a number 1");
    }

    @Test
    void shardFileNamedByIndexButMissingIsNamed() {
        shards();
        index("{\"weight_map\": {\"a\": \"" + SHARD1 + "\", \"z\": \"model-00003-of-00003.safetensors\"}}");
        assertFails(() -> Checkpoint.open(dir), index().toString(), "tensor z",
                dir.resolve("model-00003-of-00003.safetensors"), "found nothing");
    }

    @Test
    void shardOutsideTheDirectoryIsRejected() {
        shards();
        index("{\"weight_map\": {\"a\": \"../elsewhere.safetensors\"}}");
        assertFails(() -> Checkpoint.open(dir), "shard index " + index(), "tensor a", "inside " + dir,
                "../elsewhere.safetensors");
    }

    @Test
    void tensorListedInIndexButAbsentFromItsShardIsNamed() {
        shards();
        index("{\"weight_map\": {\"a\": \"" + SHARD1 + "\", \"b\": \"" + SHARD1 + "\", \"c\": \"" + SHARD1 + "\"}}");
        assertFails(() -> Checkpoint.open(dir), "tensor c is listed in " + index(), "shard " + dir.resolve(SHARD1),
                "does not contain it");
    }

    @Test
    void shardTensorThatTheIndexDoesNotListIsNamed() {
        shards();
        index("{\"weight_map\": {\"a\": \"" + SHARD1 + "\", \"c\": \"" + SHARD2 + "\"}}");
        assertFails(() -> Checkpoint.open(dir), "tensor b in shard " + dir.resolve(SHARD1), index(),
                "does not list it");
    }

    @Test
    void brokenShardIsReportedWithItsOwnFileName() {
        shards();
        SafetensorsWriter.writeRaw(dir.resolve(SHARD2), new byte[3]);
        index(goodIndex());
        assertFails(() -> Checkpoint.open(dir), dir.resolve(SHARD2), "too short");
    }
}
