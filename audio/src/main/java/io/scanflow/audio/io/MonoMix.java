package io.scanflow.audio.io;

/** Mix-down of interleaved channels to mono by averaging (keeps full scale for correlated channels). */
public final class MonoMix {
    private MonoMix() {}

    /** out[offset + i] = mean over channels of in[i * channels + c], for {@code frames} frames. */
    public static void average(float[] in, int channels, int frames, float[] out, int offset) {
        if (channels == 1) {
            System.arraycopy(in, 0, out, offset, frames);
            return;
        }
        float scale = 1f / channels;
        for (int i = 0; i < frames; i++) {
            float sum = 0f;
            for (int c = 0; c < channels; c++) {
                sum += in[i * channels + c];
            }
            out[offset + i] = sum * scale;
        }
    }
}
