package io.scanflow.audio.io;

import io.scanflow.audio.AudioFormatException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Mono samples from a byte stream read once, front to back (standard input): 16-bit little-endian PCM,
 * either a WAV stream (its header read as it arrives; the sizes in it are ignored, since a recorder
 * writing to a pipe cannot know them: {@code arecord} puts the largest size there) or raw frames with the
 * rate and channel count given. Channels are averaged. Reads block until bytes come, so samples leave as
 * soon as they arrive.
 */
public final class PipedPcmStream implements SampleStream {
    /** How the stream is named in errors. */
    static final Path NAME = Path.of("-");

    private final DataInputStream in;
    private final int rate;
    private final int channels;
    private final byte[] frameBytes;
    private long offset;

    private PipedPcmStream(DataInputStream in, int rate, int channels, long offset) {
        this.in = in;
        this.rate = rate;
        this.channels = channels;
        this.frameBytes = new byte[2 * channels];
        this.offset = offset;
    }

    /**
     * A WAV stream when it starts with {@code RIFF}, else raw frames, which need {@code rate} (null when not
     * given).
     */
    public static PipedPcmStream open(InputStream stream, Integer rate, int channels) {
        java.io.BufferedInputStream in = new java.io.BufferedInputStream(stream, 1 << 16);
        byte[] magic = new byte[4];
        try {
            in.mark(4);
            int n = in.readNBytes(magic, 0, 4);
            in.reset();
            if (n == 4 && new String(magic, java.nio.charset.StandardCharsets.US_ASCII).equals("RIFF")) {
                return wav(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("standard input: " + e.getMessage(), e);
        }
        if (rate == null) {
            throw new IllegalArgumentException("standard input is not WAV (no RIFF header): raw 16-bit PCM needs --rate"
                    + " (and --channels when not mono)");
        }
        return raw(in, rate, channels);
    }

    /** Raw 16-bit little-endian frames of {@code channels} interleaved channels at {@code rate} Hz. */
    public static PipedPcmStream raw(InputStream in, int rate, int channels) {
        if (rate <= 0 || channels <= 0) {
            throw new IllegalArgumentException("raw PCM on standard input needs --rate > 0 and --channels > 0, got "
                    + rate + " and " + channels);
        }
        return new PipedPcmStream(new DataInputStream(in), rate, channels, 0);
    }

    /** A WAV stream of 16-bit PCM: the header is read now, up to the start of the data chunk. */
    public static PipedPcmStream wav(InputStream stream) {
        DataInputStream in = new DataInputStream(stream);
        long at = 0;
        try {
            byte[] riff = new byte[12];
            in.readFully(riff);
            if (!new String(riff, 0, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("RIFF")
                    || !new String(riff, 8, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("WAVE")) {
                throw new AudioFormatException(NAME, 0, "riff.id", "not a RIFF/WAVE stream");
            }
            at = 12;
            int rate = -1;
            int channels = -1;
            while (true) {
                byte[] head = new byte[8];
                in.readFully(head);
                String id = new String(head, 0, 4, java.nio.charset.StandardCharsets.US_ASCII);
                long size = ByteBuffer.wrap(head, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
                at += 8;
                if (id.equals("data")) {
                    if (rate < 0) {
                        throw new AudioFormatException(NAME, at - 8, "fmt", "data chunk before the fmt chunk");
                    }
                    return new PipedPcmStream(in, rate, channels, at);
                }
                byte[] body = new byte[(int) Math.min(size + (size & 1), 1 << 20)];
                in.readFully(body);
                if (id.equals("fmt ")) {
                    ByteBuffer f = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
                    int format = f.getShort(0) & 0xffff;
                    channels = f.getShort(2) & 0xffff;
                    rate = f.getInt(4);
                    int bits = f.getShort(14) & 0xffff;
                    if ((format != 1 && format != 0xfffe) || bits != 16) {
                        throw new AudioFormatException(NAME, at, "fmt.bitsPerSample", "standard input takes 16-bit PCM"
                                + " WAV only, found format " + format + " with " + bits + " bits");
                    }
                    if (channels <= 0 || rate <= 0) {
                        throw new AudioFormatException(NAME, at, "fmt", "channels " + channels + ", rate " + rate);
                    }
                }
                at += body.length;
            }
        } catch (EOFException e) {
            throw new AudioFormatException(NAME, at, "RIFF header", "standard input ended inside the WAV header", e);
        } catch (IOException e) {
            throw new UncheckedIOException("standard input: " + e.getMessage(), e);
        }
    }

    @Override
    public int sampleRate() {
        return rate;
    }

    public int channels() {
        return channels;
    }

    /** Blocks for at least one frame; returns fewer than {@code length} when no more bytes are waiting. */
    @Override
    public int read(float[] out, int off, int length) {
        int n = 0;
        try {
            while (n < length && (n == 0 || in.available() >= frameBytes.length)) {
                try {
                    in.readFully(frameBytes);
                } catch (EOFException end) {
                    return n == 0 ? -1 : n; // a partial last frame is dropped
                }
                offset += frameBytes.length;
                float sum = 0;
                for (int c = 0; c < channels; c++) {
                    // 1 / 32767, as TarsosDSP converts WAV files: stdin and a file give the same samples.
                    sum += (short) ((frameBytes[2 * c] & 0xff) | (frameBytes[2 * c + 1] << 8)) / 32767f;
                }
                out[off + n++] = sum / channels;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("standard input at byte " + offset + ": " + e.getMessage(), e);
        }
        return n;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("standard input: " + e.getMessage(), e);
        }
    }
}
