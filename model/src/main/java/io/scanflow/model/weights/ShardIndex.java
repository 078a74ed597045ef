package io.scanflow.model.weights;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code model.safetensors.index.json} of a sharded checkpoint: which shard holds which tensor.
 *
 * <p>Parsed on its own so that a broken index is reported as such, before any shard is touched.
 */
final class ShardIndex {

    static final String FILE_NAME = "model.safetensors.index.json";

    final Path path;
    /** Tensor name to shard file name, in index order. */
    final Map<String, String> weightMap;
    /** The index's {@code metadata}, values as text (e.g. {@code total_size} is a number there). */
    final Map<String, String> metadata;

    private ShardIndex(Path path, Map<String, String> weightMap, Map<String, String> metadata) {
        this.path = path;
        this.weightMap = Collections.unmodifiableMap(weightMap);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    static ShardIndex read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new CheckpointException("cannot read shard index " + path + ": " + e, e);
        }
        JsonNode root = Json.parse(bytes, "shard index " + path);
        if (!root.isObject()) {
            throw new CheckpointException("shard index " + path + ": expected a JSON object, found " + Json.describe(root));
        }
        JsonNode weights = root.get("weight_map");
        if (weights == null || !weights.isObject()) {
            throw new CheckpointException("shard index " + path + ": expected \"weight_map\" to be an object of"
                    + " tensor name to shard file, found " + Json.describe(weights));
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weights.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual() || e.getValue().textValue().isEmpty()) {
                throw new CheckpointException("shard index " + path + ": expected tensor " + e.getKey()
                        + " to map to a shard file name, found " + Json.describe(e.getValue()));
            }
            weightMap.put(e.getKey(), e.getValue().textValue());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = root.get("metadata");
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) {
                throw new CheckpointException("shard index " + path + ": expected \"metadata\" to be an object, found "
                        + Json.describe(meta));
            }
            meta.fields().forEachRemaining(e -> metadata.put(e.getKey(),
                    e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
        }
        return new ShardIndex(path, weightMap, metadata);
    }
}
