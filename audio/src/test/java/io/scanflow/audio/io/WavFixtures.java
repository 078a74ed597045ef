package io.scanflow.audio.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds WAV files byte by byte for tests, including broken ones. */
public final class WavFixtures {
    private WavFixtures() {}

    /** A header for {@code dataBytes} bytes of data with the given format fields (no data written). */
    public static ByteBuffer header(int tag, int channels, int rate, int bits, int blockAlign, long dataBytes) {
        ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt((int) (36 + dataBytes));
        h.put("WAVE".getBytes(StandardCharsets.US_ASCII));
        h.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
        h.putShort((short) tag).putShort((short) channels).putInt(rate).putInt(rate * blockAlign);
        h.putShort((short) blockAlign).putShort((short) bits);
        h.put("data".getBytes(StandardCharsets.US_ASCII)).putInt((int) dataBytes);
        return h.flip();
    }

    /** A WAV of 16-bit PCM with {@code channels} interleaved channels from per-channel float arrays. */
    public static Path pcm16(Path file, int rate, float[]... channels) {
        int frames = channels[0].length;
        int n = channels.length;
        ByteBuffer b = ByteBuffer.allocate(44 + frames * n * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header(1, n, rate, 16, 2 * n, (long) frames * n * 2));
        for (int i = 0; i < frames; i++) {
            for (float[] c : channels) {
                b.putShort((short) Math.round(Math.max(-1f, Math.min(1f, c[i])) * 32767f));
            }
        }
        return write(file, b.array());
    }

    public static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static float[] sine(double hz, int rate, int samples, double amplitude) {
        float[] s = new float[samples];
        for (int i = 0; i < samples; i++) {
            s[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return s;
    }
}
