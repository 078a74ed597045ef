package io.scanflow.model.testing;

import io.scanflow.model.SequenceModel;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.weights.Checkpoint;
import io.scanflow.model.weights.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Feature-input copies of token fixtures: {@code input_proj = embedding^T} with zero bias, so a one-hot
 * feature row is exactly the token's embedding and the copy must reproduce the token model bit for bit.
 */
public final class FeatureModels {
    private FeatureModels() {}

    /** One-hot rows [tokens.length, vocab] for a token sequence. */
    public static float[] oneHot(int[] tokens, int vocab) {
        float[] features = new float[tokens.length * vocab];
        for (int t = 0; t < tokens.length; t++) {
            features[t * vocab + tokens[t]] = 1f;
        }
        return features;
    }

    /** Writes into {@code dir} the same weights with input_proj = embedding^T (no bias effect) and an untied copy of the head. */
    public static Path oneHotCopy(Path tokenModel, Path dir) {
        SequenceModel m = ModelLoader.load(tokenModel);
        int v = m.vocabSize(), d = m.hiddenSize();
        try {
            return write(tokenModel, dir, v, d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(Path tokenModel, Path dir, int v, int d) throws IOException {
        SafetensorsWriter w = SafetensorsWriter.create();
        float[] embedding;
        try (Checkpoint c = Checkpoint.open(tokenModel)) {
            embedding = c.floats("backbone.embeddings.weight", v, d);
            for (String name : c.names()) {
                if (!name.equals("backbone.embeddings.weight") && !name.equals("lm_head.weight")) {
                    w.f32(name, c.info(name).shape(), c.floats(name));
                }
            }
        }
        float[] transposed = new float[d * v];
        for (int i = 0; i < v; i++) {
            for (int j = 0; j < d; j++) {
                transposed[j * v + i] = embedding[i * d + j];
            }
        }
        float[] head;
        try (Checkpoint c = Checkpoint.open(tokenModel)) {
            head = c.contains("lm_head.weight") ? c.floats("lm_head.weight", v, d) : embedding;
        }
        w.f32("backbone.input_proj.weight", new long[] {d, v}, transposed);
        w.f32("backbone.input_proj.bias", new long[] {d}, new float[d]);
        w.f32("lm_head.weight", new long[] {v, d}, head);
        w.write(dir.resolve("model.safetensors"));
        String config = Files.readString(tokenModel.resolve("config.json"))
                .replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false")
                .replaceFirst("\\{", "{\n  \"input_features\": " + v + ",");
        Files.writeString(dir.resolve("config.json"), config);
        return dir;
    }
}
