package io.scanflow.audio.io;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The one entry point for reading audio files: picks the decoder (WAV natively, anything else through
 * ffmpeg), mixes down to mono or picks a channel, and resamples to the rate the model wants.
 */
public final class AudioFiles {
    /** Channel selector meaning "average all channels". */
    public static final int MIX_DOWN = -1;

    private AudioFiles() {}

    /** Opens {@code file} as mono samples at {@code rate} Hz; header problems throw {@code AudioFormatException}. */
    public static SampleStream open(Path file, int channel, int rate) {
        if (WavHeaderReader.looksLikeWav(file) || isWavName(file)) {
            WavHeader header = WavHeaderReader.read(file);
            SampleStream pcm = new PcmDecoder(file, header, channel);
            return header.sampleRate() == rate ? pcm : new ResamplingStream(pcm, rate);
        }
        if (channel > 0) {
            throw new IllegalArgumentException(file + ": per-channel reading is supported for WAV only");
        }
        return new FfmpegDecoder(file, rate);
    }

    /** {@code stream} (standard input, {@link PipedPcmStream}) at {@code rate} Hz. */
    public static SampleStream resampled(PipedPcmStream stream, int rate) {
        return stream.sampleRate() == rate ? stream : new ResamplingStream(stream, rate);
    }

    /** Number of channels a file has (1 for files decoded through ffmpeg, which mixes them down). */
    public static int channels(Path file) {
        if (WavHeaderReader.looksLikeWav(file) || isWavName(file)) {
            return WavHeaderReader.read(file).channels();
        }
        return 1;
    }

    /** Reads the whole file (mono, at {@code rate}). */
    public static float[] readAll(Path file, int rate) {
        try (SampleStream s = open(file, MIX_DOWN, rate)) {
            float[] all = new float[rate];
            int n = 0;
            while (true) {
                if (n == all.length) {
                    all = Arrays.copyOf(all, all.length * 2);
                }
                int r = s.read(all, n, all.length - n);
                if (r < 0) {
                    return Arrays.copyOf(all, n);
                }
                n += r;
            }
        }
    }

    private static boolean isWavName(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".wav") || name.endsWith(".wave");
    }
}
