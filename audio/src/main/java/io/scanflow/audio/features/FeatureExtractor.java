package io.scanflow.audio.features;

import be.tarsos.dsp.mfcc.MFCC;

/**
 * MFCC or log-mel frames through TarsosDSP's {@link MFCC}: per frame, a Hamming-windowed magnitude
 * spectrum, triangular mel filters, the natural log (floored by TarsosDSP), and for MFCC a DCT. Exactly
 * TarsosDSP's own {@code MFCC.process} sequence, called per frame so frames can be taken at any hop.
 *
 * <p>Not thread-safe (TarsosDSP keeps FFT scratch); one extractor per task.
 */
public final class FeatureExtractor {
    private final FeatureConfig config;
    private final MFCC mfcc;
    private final float[] frame;

    public FeatureExtractor(FeatureConfig config) {
        this.config = config;
        this.mfcc = new MFCC(config.frame(), config.sampleRate(), Math.max(1, config.coefficients()),
                config.melFilters(), config.lowHz(), config.highHz());
        this.frame = new float[config.frame()];
    }

    public FeatureConfig config() {
        return config;
    }

    /**
     * Feature frames of {@code samples[offset, offset + length)}: {@code config.frames(length)} rows of
     * {@code config.width()} floats.
     */
    public float[] extract(float[] samples, int offset, int length) {
        int frames = config.frames(length);
        float[] out = new float[frames * config.width()];
        for (int f = 0; f < frames; f++) {
            extractFrame(samples, offset + f * config.hop(), out, f * config.width());
        }
        return out;
    }

    /** One feature frame from {@code config.frame()} samples starting at {@code start}. */
    public void extractFrame(float[] samples, int start, float[] out, int outOffset) {
        System.arraycopy(samples, start, frame, 0, frame.length);
        float[] magnitude = mfcc.magnitudeSpectrum(frame);
        float[] logMel = mfcc.nonLinearTransformation(mfcc.melFilter(magnitude, mfcc.getCenterFrequencies()));
        float[] row = config.kind() == FeatureConfig.Kind.MFCC ? mfcc.cepCoefficients(logMel) : logMel;
        System.arraycopy(row, 0, out, outOffset, config.width());
    }
}
