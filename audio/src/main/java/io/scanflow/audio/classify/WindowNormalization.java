package io.scanflow.audio.classify;

import java.util.Locale;

/**
 * What is done to a window's feature frames before the model reads them ({@code head.json}
 * {@code input.normalize}).
 */
public enum WindowNormalization {
    /** The frames as extracted. */
    NONE,
    /**
     * Each coefficient minus its mean over the window's frames (cepstral mean normalisation): a fixed
     * filter on the channel (microphone, room colour, level) adds the same offset to every frame's
     * cepstrum, so subtracting the window mean removes it.
     */
    WINDOW_MEAN;

    /** {@code none} or {@code window_mean} (also {@code window-mean}). */
    public static WindowNormalization parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown normalize \"" + name + "\"; expected none or window_mean", e);
        }
    }

    /** Applies this normalisation in place to {@code frames} ([frames, width] row-major) and returns it. */
    public float[] apply(float[] frames, int width) {
        if (this == NONE || frames.length == 0) {
            return frames;
        }
        int count = frames.length / width;
        for (int c = 0; c < width; c++) {
            double sum = 0;
            for (int f = 0; f < count; f++) {
                sum += frames[f * width + c];
            }
            float mean = (float) (sum / count);
            for (int f = 0; f < count; f++) {
                frames[f * width + c] -= mean;
            }
        }
        return frames;
    }
}
