package io.scanflow.model.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A reference fixture made by {@code scripts/training/make_mamba_fixtures.py}: a tiny HF model folder plus the
 * outputs HF transformers computed for it with every weight in float64.
 */
public final class Fixture {
    /** Every fixture with its own reference; the sharded copy reuses mamba2-groups' reference. */
    public static final List<String> ALL = List.of(
            "mamba1-tied", "mamba1-untied-bias", "mamba1-tied-f16", "mamba1-tied-bf16", "mamba1-state-spaces",
            "mamba2-basic", "mamba2-groups", "mamba2-groups-sharded");

    public final String name;
    public final Path modelDir;
    public final int batch;
    public final int length;
    public final int vocab;
    public final int promptLength;
    public final int newTokens;
    /** [batch, length] */
    public final int[] tokens;
    /** [batch, length, vocab], HF float64 */
    public final double[] logits;
    /** [batch, promptLength] */
    public final int[] prompt;
    /** [batch, promptLength + newTokens] */
    public final int[] greedy;

    private Fixture(String name) {
        this.name = name;
        this.modelDir = root().resolve("models").resolve(name);
        Path ref = root().resolve("models").resolve(name.endsWith("-sharded") ? name.replace("-sharded", "") : name)
                .resolve("reference");
        try {
            JsonNode meta = new ObjectMapper().readTree(ref.resolve("meta.json").toFile());
            batch = meta.get("batch").asInt();
            length = meta.get("length").asInt();
            vocab = meta.get("vocab").asInt();
            promptLength = meta.get("prompt_length").asInt();
            newTokens = meta.get("new_tokens").asInt();
            tokens = ints(ref.resolve("tokens.i32"));
            logits = doubles(ref.resolve("logits.f64"));
            prompt = ints(ref.resolve("prompt.i32"));
            greedy = ints(ref.resolve("greedy.i32"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Fixture load(String name) {
        return new Fixture(name);
    }

    /** The repository's testdata folder (surefire sets the property; the fallback serves IDE runs). */
    public static Path root() {
        String p = System.getProperty("scanflow.testdata");
        return p != null ? Path.of(p) : Path.of("..", "testdata");
    }

    public int[] sequence(int b) {
        int[] s = new int[length];
        System.arraycopy(tokens, b * length, s, 0, length);
        return s;
    }

    public int[] promptOf(int b) {
        int[] s = new int[promptLength];
        System.arraycopy(prompt, b * promptLength, s, 0, promptLength);
        return s;
    }

    public static int[] ints(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[b.remaining() / 4];
        b.asIntBuffer().get(out);
        return out;
    }

    public static double[] doubles(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[b.remaining() / 8];
        b.asDoubleBuffer().get(out);
        return out;
    }

    /** max |actual - ref| / max |ref| over all elements: the parity measure of the whole project. */
    public static double maxRelativeError(float[] actual, int actualOffset, double[] ref, int refOffset, int n) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < n; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[actualOffset + i] - ref[refOffset + i]));
            maxRef = Math.max(maxRef, Math.abs(ref[refOffset + i]));
        }
        return maxDiff / maxRef;
    }

    /** The same measure between two float32 results. */
    public static double maxRelativeError(float[] actual, float[] expected) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / maxRef;
    }
}
