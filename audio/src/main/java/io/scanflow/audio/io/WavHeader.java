package io.scanflow.audio.io;

/**
 * What a WAV file's header says about its sample data.
 *
 * @param channels      interleaved channels per frame
 * @param sampleRate    frames per second
 * @param bitsPerSample 8, 16, 24 or 32 for integer PCM; 32 or 64 for IEEE float
 * @param floatingPoint IEEE float samples (format tag 3, or extensible with the float sub-format)
 * @param dataOffset    byte offset of the first sample frame
 * @param dataBytes     bytes of sample data (whole frames)
 */
public record WavHeader(int channels, int sampleRate, int bitsPerSample, boolean floatingPoint,
                        long dataOffset, long dataBytes) {

    /** Bytes per frame (one sample of every channel). */
    public int frameBytes() {
        return channels * (bitsPerSample / 8);
    }

    public long frames() {
        return dataBytes / frameBytes();
    }
}
