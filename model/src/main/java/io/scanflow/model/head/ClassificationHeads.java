package io.scanflow.model.head;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.scanflow.model.weights.Checkpoint;
import io.scanflow.model.weights.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a classification head from a model folder ({@code head.json} + its safetensors file).
 *
 * <p>{@code head.json} fields: {@code format} = {@code "scanflow-classification-head"};
 * {@code version} = 1; {@code labels}: distinct non-blank strings; {@code pooling}: {@code "mean"}
 * or {@code "last"}; {@code hidden_size}: the backbone's hidden size; {@code weights} (optional,
 * default {@code head.safetensors}): a file in the same folder holding exactly
 * {@code classifier.weight} [labels, hidden] and {@code classifier.bias} [labels]. Other fields
 * (e.g. {@code task}, {@code input}) are descriptive and ignored. Every error names the file and field.
 */
public final class ClassificationHeads {
    /** The head's description file in a model folder. */
    public static final String FILE_NAME = "head.json";
    /** The {@code format} value of a head file. */
    public static final String FORMAT = "scanflow-classification-head";
    /** The head file version this reader reads. */
    public static final int VERSION = 1;
    /** Tensor name of the head's weight [labels, hidden]. */
    public static final String WEIGHT = "classifier.weight";
    /** Tensor name of the head's bias [labels]. */
    public static final String BIAS = "classifier.bias";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private ClassificationHeads() {
    }

    /** True if {@code directory} has a {@code head.json}. */
    public static boolean present(Path directory) {
        return Files.isRegularFile(directory.resolve(FILE_NAME));
    }

    /** Loads the head in {@code directory}. */
    public static ClassificationHead load(Path directory) {
        return load(directory, -1);
    }

    /**
     * Loads the head in {@code directory}, checking it fits a backbone of {@code expectedHidden}
     * (pass -1 to skip that check).
     *
     * @throws HeadFormatException naming {@code head.json} or the weights file, and the field or tensor
     */
    public static ClassificationHead load(Path directory, int expectedHidden) {
        Path file = directory.resolve(FILE_NAME);
        JsonNode root = parse(file);
        String format = text(file, root, "format");
        if (!FORMAT.equals(format)) {
            throw new HeadFormatException(file, "format", "expected \"" + FORMAT + "\", found \"" + format + "\"");
        }
        JsonNode version = root.get("version");
        if (version == null || !version.canConvertToInt() || !version.isIntegralNumber()) {
            throw new HeadFormatException(file, "version", "expected an integer, found " + version);
        }
        if (version.intValue() != VERSION) {
            throw new HeadFormatException(file, "version", "expected " + VERSION + " (the version this reader knows), found "
                    + version.intValue());
        }
        List<String> labels = labels(file, root);
        Pooling pooling = pooling(file, text(file, root, "pooling"));
        JsonNode hiddenNode = root.get("hidden_size");
        if (hiddenNode == null || !hiddenNode.isIntegralNumber() || hiddenNode.intValue() < 1) {
            throw new HeadFormatException(file, "hidden_size", "expected a positive integer, found " + hiddenNode);
        }
        int hidden = hiddenNode.intValue();
        if (expectedHidden > 0 && hidden != expectedHidden) {
            throw new HeadFormatException(file, "hidden_size", "expected " + expectedHidden
                    + " (the backbone's hidden size), found " + hidden);
        }
        String weightsName = root.has("weights") ? text(file, root, "weights") : "head.safetensors";
        Path weightsFile = directory.resolve(weightsName).normalize();
        if (!weightsFile.getParent().equals(directory.normalize()) || !Files.isRegularFile(weightsFile)) {
            throw new HeadFormatException(file, "weights", "expected a file in " + directory + ", found "
                    + (Files.exists(weightsFile) ? "a directory or a path outside it" : "nothing") + " at " + weightsName);
        }
        try (Checkpoint weights = Checkpoint.openFile(weightsFile)) {
            float[] w = weights.floats(WEIGHT, labels.size(), hidden);
            float[] b = weights.floats(BIAS, labels.size());
            weights.requireNoUnexpected(Set.of(WEIGHT, BIAS));
            return new ClassificationHead(labels, pooling, hidden, w, b);
        } catch (CheckpointException e) {
            throw new HeadFormatException(weightsFile, e.getMessage(), e);
        }
    }

    private static JsonNode parse(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new HeadFormatException(file, "cannot be read: " + e, e);
        }
        try {
            JsonNode root = MAPPER.readTree(bytes);
            if (root == null || !root.isObject()) {
                throw new HeadFormatException(file, "expected a JSON object, found " + (root == null ? "nothing" : root.getNodeType()), (Throwable) null);
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new HeadFormatException(file, "is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
        } catch (IOException e) {
            throw new HeadFormatException(file, "cannot be read: " + e, e);
        }
    }

    private static String text(Path file, JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || !v.isTextual()) {
            throw new HeadFormatException(file, field, "expected a string, found " + (v == null ? "nothing" : v));
        }
        return v.textValue();
    }

    private static List<String> labels(Path file, JsonNode root) {
        JsonNode v = root.get("labels");
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new HeadFormatException(file, "labels", "expected a non-empty array of strings, found "
                    + (v == null ? "nothing" : v));
        }
        List<String> labels = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode l = v.get(i);
            if (!l.isTextual() || l.textValue().isBlank()) {
                throw new HeadFormatException(file, "labels[" + i + "]", "expected a non-blank string, found " + l);
            }
            if (!seen.add(l.textValue())) {
                throw new HeadFormatException(file, "labels[" + i + "]", "expected distinct labels, found \""
                        + l.textValue() + "\" twice");
            }
            labels.add(l.textValue());
        }
        return labels;
    }

    private static Pooling pooling(Path file, String name) {
        for (Pooling p : Pooling.values()) {
            if (p.jsonName().equals(name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new HeadFormatException(file, "pooling", "expected \"mean\" or \"last\", found \"" + name + "\"");
    }
}
