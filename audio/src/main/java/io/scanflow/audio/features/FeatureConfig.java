package io.scanflow.audio.features;

/**
 * How feature frames are made from mono samples.
 *
 * @param kind         MFCC (cepstral coefficients) or LOG_MEL (log mel filter-bank energies)
 * @param sampleRate   Hz of the samples the frames are taken from
 * @param frame        samples per analysis window (Hamming-windowed FFT inside TarsosDSP)
 * @param hop          samples between the starts of consecutive frames
 * @param coefficients cepstral coefficients kept (MFCC only)
 * @param melFilters   triangular mel filters
 * @param lowHz        lowest filter edge
 * @param highHz       highest filter edge
 */
public record FeatureConfig(Kind kind, int sampleRate, int frame, int hop, int coefficients, int melFilters,
                            float lowHz, float highHz) {

    public enum Kind { MFCC, LOG_MEL }

    public FeatureConfig {
        if (sampleRate <= 0 || frame <= 0 || hop <= 0 || melFilters <= 0 || (kind == Kind.MFCC && coefficients <= 0)) {
            throw new IllegalArgumentException("feature config needs positive sizes: " + kind + " rate " + sampleRate
                    + " frame " + frame + " hop " + hop + " coefficients " + coefficients + " filters " + melFilters);
        }
        if (!(lowHz >= 0 && lowHz < highHz && highHz <= sampleRate / 2f)) {
            throw new IllegalArgumentException("filter edges must satisfy 0 <= low < high <= rate / 2, got "
                    + lowHz + " .. " + highHz + " at " + sampleRate + " Hz");
        }
    }

    /** Floats per feature frame. */
    public int width() {
        return kind == Kind.MFCC ? coefficients : melFilters;
    }

    /** Whole frames that fit in {@code samples} samples. */
    public int frames(int samples) {
        return samples < frame ? 0 : (samples - frame) / hop + 1;
    }
}
