package io.scanflow.audio.dsp;

/**
 * 8-bit mu-law companding (mu = 255) as sample-level audio models use it (WaveNet, SampleRNN): a sample
 * x in [-1, 1] is compressed to f(x) = sign(x) ln(1 + mu|x|) / ln(1 + mu) and quantised to one of 256
 * evenly spaced levels, token = round((f + 1) / 2 * 255). Decoding maps a token to its level and expands.
 *
 * <p>The training data's tokens come from this class ({@code io.scanflow.audio.tools.ExportTrainingData}
 * writes them for {@code scripts/training/pack_corpus.py}), so a token is the same number on both sides.
 */
public final class MuLaw {
    public static final int LEVELS = 256;
    private static final double MU = 255.0;
    private static final double LOG1P_MU = Math.log1p(MU);
    private static final float[] DECODED = new float[LEVELS];

    static {
        for (int t = 0; t < LEVELS; t++) {
            DECODED[t] = expand(2.0 * t / (LEVELS - 1) - 1.0);
        }
    }

    private MuLaw() {}

    public static int encode(float sample) {
        double x = Math.max(-1.0, Math.min(1.0, sample));
        double f = Math.signum(x) * Math.log1p(MU * Math.abs(x)) / LOG1P_MU;
        return (int) Math.floor((f + 1.0) / 2.0 * (LEVELS - 1) + 0.5);
    }

    public static float decode(int token) {
        if (token < 0 || token >= LEVELS) {
            throw new IllegalArgumentException("mu-law token " + token + " is outside [0, 255]");
        }
        return DECODED[token];
    }

    public static void encode(float[] samples, int offset, int length, int[] tokens, int tokenOffset) {
        for (int i = 0; i < length; i++) {
            tokens[tokenOffset + i] = encode(samples[offset + i]);
        }
    }

    private static float expand(double f) {
        return (float) (Math.signum(f) * Math.expm1(Math.abs(f) * LOG1P_MU) / MU);
    }
}
