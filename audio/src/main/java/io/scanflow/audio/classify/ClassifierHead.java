package io.scanflow.audio.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanflow.audio.features.FeatureConfig;
import io.scanflow.model.weights.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A classification head on a pooled backbone embedding: {@code logits = W h + b}, {@code W} [classes,
 * hidden]. Lives next to the backbone in the model folder: {@code head.safetensors} ({@code head.weight},
 * {@code head.bias}) and {@code head.json} (labels, pooling, the features the backbone was trained on,
 * and the window over which one prediction is made).
 *
 * <p>Interim format owned by the audio module until the shared head format lands in the model module.
 */
public final class ClassifierHead {
    public static final String WEIGHTS = "head.safetensors";
    public static final String DESCRIPTION = "head.json";

    private final List<String> labels;
    private final int hidden;
    private final float[] weight;
    private final float[] bias;
    private final FeatureConfig features;
    private final double windowSeconds;
    private final double hopSeconds;

    private ClassifierHead(List<String> labels, int hidden, float[] weight, float[] bias, FeatureConfig features,
                           double windowSeconds, double hopSeconds) {
        this.labels = List.copyOf(labels);
        this.hidden = hidden;
        this.weight = weight;
        this.bias = bias;
        this.features = features;
        this.windowSeconds = windowSeconds;
        this.hopSeconds = hopSeconds;
    }

    /** Reads the head of the model in {@code modelDir}, whose backbone has width {@code hidden}. */
    public static ClassifierHead load(Path modelDir, int hidden) {
        Path json = modelDir.resolve(DESCRIPTION);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(json));
        } catch (IOException e) {
            throw new UncheckedIOException(json + ": cannot be read: " + e.getMessage(), e);
        }
        String pooling = text(json, root, "pooling");
        if (!pooling.equals("mean")) {
            throw new IllegalArgumentException(json + ": field pooling: '" + pooling + "' is not supported (mean)");
        }
        List<String> labels = new ArrayList<>();
        JsonNode l = root.get("labels");
        if (l == null || !l.isArray() || l.size() == 0) {
            throw new IllegalArgumentException(json + ": field labels: expected a non-empty array of names");
        }
        l.forEach(n -> labels.add(n.asText()));
        JsonNode f = root.get("features");
        if (f == null) {
            throw new IllegalArgumentException(json + ": field features: missing");
        }
        FeatureConfig fc = new FeatureConfig(
                FeatureConfig.Kind.valueOf(text(json, f, "kind").toUpperCase(Locale.ROOT).replace('-', '_')),
                f.path("sample_rate").asInt(), f.path("frame").asInt(), f.path("hop").asInt(),
                f.path("coefficients").asInt(0), f.path("mel_filters").asInt(), (float) f.path("low_hz").asDouble(),
                (float) f.path("high_hz").asDouble());
        int c = labels.size();
        try (Checkpoint ck = Checkpoint.openFile(modelDir.resolve(WEIGHTS))) {
            float[] w = ck.floats("head.weight", c, hidden);
            float[] b = ck.floats("head.bias", c);
            ck.requireNoUnexpected(Set.of("head.weight", "head.bias"));
            return new ClassifierHead(labels, hidden, w, b, fc, root.path("window_seconds").asDouble(1.0),
                    root.path("hop_seconds").asDouble(root.path("window_seconds").asDouble(1.0)));
        }
    }

    private static String text(Path file, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(file + ": field " + field + ": expected a string");
        }
        return v.asText();
    }

    public List<String> labels() {
        return labels;
    }

    public FeatureConfig features() {
        return features;
    }

    /** Samples (at the feature rate) that one prediction covers. */
    public int windowSamples() {
        return (int) Math.round(windowSeconds * features.sampleRate());
    }

    public int hopSamples() {
        return (int) Math.round(hopSeconds * features.sampleRate());
    }

    /** logits[c] = sum_i W[c, i] h[i] + b[c], accumulated in double. */
    public float[] logits(float[] pooled) {
        float[] out = new float[labels.size()];
        for (int c = 0; c < out.length; c++) {
            double acc = bias[c];
            for (int i = 0; i < hidden; i++) {
                acc += (double) weight[c * hidden + i] * pooled[i];
            }
            out[c] = (float) acc;
        }
        return out;
    }

    /** Softmax of {@link #logits}. */
    public float[] probabilities(float[] pooled) {
        return softmax(logits(pooled));
    }

    public static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }
}
