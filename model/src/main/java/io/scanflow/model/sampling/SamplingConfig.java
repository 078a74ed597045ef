package io.scanflow.model.sampling;

/**
 * How the next token is chosen. Applied in the order HF generate uses: temperature, then top-k, then
 * top-p (nucleus). {@code topK <= 0} and {@code topP >= 1} switch those filters off.
 */
public record SamplingConfig(boolean greedy, float temperature, int topK, float topP) {

    /** Checks the settings. */
    public SamplingConfig {
        if (!greedy) {
            if (!(temperature > 0f) || Float.isInfinite(temperature)) {
                throw new IllegalArgumentException("temperature must be a positive finite number, found " + temperature);
            }
            if (!(topP > 0f && topP <= 1f)) {
                throw new IllegalArgumentException("top-p must be in (0, 1], found " + topP);
            }
        }
    }

    /** Argmax decoding. */
    public static SamplingConfig greedyDecoding() {
        return new SamplingConfig(true, 1f, 0, 1f);
    }

    /** Sampling at {@code temperature}, from the top {@code topK} (0: all) within top-p mass {@code topP}. */
    public static SamplingConfig of(float temperature, int topK, float topP) {
        return new SamplingConfig(false, temperature, topK, topP);
    }
}
