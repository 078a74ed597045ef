package io.scanflow.audio.classify;

import io.scanflow.audio.features.FeatureExtractor;

/**
 * One window of samples -> the frames the classifier's backbone reads: the features of {@link AudioInput}
 * then its {@link WindowNormalization}. The one place both the Flink job ({@link FeatureWindowFunction})
 * and {@link AudioClassifier} make model input, so they cannot drift apart.
 *
 * <p>Not thread-safe (the extractor keeps FFT scratch); one per task.
 */
public final class WindowFeatures {
    private final AudioInput input;
    private final FeatureExtractor extractor;

    public WindowFeatures(AudioInput input) {
        this.input = input;
        this.extractor = new FeatureExtractor(input.features());
    }

    /** Frames of {@code window} ({@code input.windowSamples()} samples), normalised. */
    public float[] of(float[] window) {
        float[] frames = extractor.extract(window, 0, input.windowSamples());
        return input.normalization().apply(frames, input.features().width());
    }
}
