package io.scanflow.audio.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanflow.audio.features.FeatureConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How an audio classifier's input is made: the feature frames its backbone was trained on and the window
 * over which one prediction is made. Read from the {@code "input"} object of the model's {@code head.json}
 * (the head itself is ScanFlow's shared classification head format, {@code io.scanflow.model.head}):
 * <pre>
 * "input": {"kind": "mfcc" | "log_mel", "sample_rate": 16000, "frame": 512, "hop": 256,
 *           "coefficients": 20, "mel_filters": 40, "low_hz": 20.0, "high_hz": 8000.0,
 *           "window_seconds": 1.0, "hop_seconds": 0.5, "normalize": "none" | "window_mean"}
 * </pre>
 * ({@code normalize} is optional, default {@code none}.)
 *
 * @param features      the feature frames
 * @param windowSeconds audio per prediction
 * @param hopSeconds    step between window starts
 * @param normalization what is done to a window's frames before the model reads them
 */
public record AudioInput(FeatureConfig features, double windowSeconds, double hopSeconds,
                         WindowNormalization normalization) {

    public AudioInput {
        if (!(windowSeconds > 0 && hopSeconds > 0 && hopSeconds <= windowSeconds)) {
            throw new IllegalArgumentException("windows need 0 < hop_seconds <= window_seconds, found "
                    + hopSeconds + " and " + windowSeconds);
        }
    }

    public static AudioInput load(Path modelDir) {
        Path json = modelDir.resolve("head.json");
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(json));
        } catch (IOException e) {
            throw new UncheckedIOException(json + ": cannot be read: " + e.getMessage(), e);
        }
        JsonNode in = root.get("input");
        if (in == null || !in.isObject()) {
            throw new IllegalArgumentException(json + ": field input: expected an object saying how audio becomes "
                    + "the model's input (features and windows)");
        }
        try {
            FeatureConfig fc = new FeatureConfig(
                    FeatureConfig.Kind.valueOf(required(json, in, "kind").asText().toUpperCase(Locale.ROOT).replace('-', '_')),
                    required(json, in, "sample_rate").asInt(), required(json, in, "frame").asInt(),
                    required(json, in, "hop").asInt(), in.path("coefficients").asInt(0),
                    required(json, in, "mel_filters").asInt(), (float) required(json, in, "low_hz").asDouble(),
                    (float) required(json, in, "high_hz").asDouble());
            double window = required(json, in, "window_seconds").asDouble();
            return new AudioInput(fc, window, in.path("hop_seconds").asDouble(window),
                    WindowNormalization.parse(in.path("normalize").asText("none")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(json + ": field input: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(Path json, JsonNode in, String field) {
        JsonNode v = in.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(json + ": field input." + field + ": missing");
        }
        return v;
    }

    public int sampleRate() {
        return features.sampleRate();
    }

    /** Samples (at the feature rate) that one prediction covers. */
    public int windowSamples() {
        return (int) Math.round(windowSeconds * features.sampleRate());
    }

    public int hopSamples() {
        return (int) Math.round(hopSeconds * features.sampleRate());
    }

    /**
     * Number of windows of a stream of {@code length} samples: window i starts at i * hop, and exists if
     * it is the first or the one before it ended before the stream did (the last one is zero-padded).
     */
    public int windows(long length) {
        int w = windowSamples();
        int hop = hopSamples();
        return length <= w ? 1 : (int) (1 + (length - w + hop - 1) / hop);
    }
}
