package io.scanflow.audio.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes mono 16-bit PCM WAV. Samples are appended as they come; {@link #close} patches the RIFF and data
 * sizes. {@link #resume} reopens a file written earlier, cut back to a given number of samples (what a
 * sink restored from a checkpoint needs).
 */
public final class WavWriter implements AutoCloseable {
    public static final int HEADER_BYTES = 44;

    private final Path file;
    private final int sampleRate;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
    private long samples;

    private WavWriter(Path file, int sampleRate, FileChannel channel, long samples) {
        this.file = file;
        this.sampleRate = sampleRate;
        this.channel = channel;
        this.samples = samples;
    }

    public static WavWriter create(Path file, int sampleRate) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            WavWriter w = new WavWriter(file, sampleRate, ch, 0);
            w.writeHeader();
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be created: " + e.getMessage(), e);
        }
    }

    /** Reopens {@code file} for appending after its first {@code samples} samples (later bytes are dropped). */
    public static WavWriter resume(Path file, int sampleRate, long samples) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
            long keep = HEADER_BYTES + samples * 2;
            if (ch.size() < keep) {
                ch.close();
                throw new IllegalStateException(file + ": holds " + (ch.size() - HEADER_BYTES) / 2
                        + " samples, cannot resume after " + samples);
            }
            ch.truncate(keep);
            ch.position(keep);
            return new WavWriter(file, sampleRate, ch, samples);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be reopened: " + e.getMessage(), e);
        }
    }

    /** Writes one mono 16-bit file in one go. */
    public static void write(Path file, int sampleRate, float[] samples) {
        try (WavWriter w = create(file, sampleRate)) {
            w.append(samples, 0, samples.length);
        }
    }

    public int sampleRate() {
        return sampleRate;
    }

    public long samples() {
        return samples;
    }

    public Path file() {
        return file;
    }

    /** Appends samples in [-1, 1] (clipped), rounded to 16 bits. */
    public void append(float[] data, int offset, int length) {
        for (int i = 0; i < length; i++) {
            if (buffer.remaining() < 2) {
                flush();
            }
            float x = Math.max(-1f, Math.min(1f, data[offset + i]));
            buffer.putShort((short) Math.round(x * 32767f));
        }
        samples += length;
    }

    /** Pushes buffered samples to the file (the header still says the previous size until close). */
    public void flush() {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": write failed: " + e.getMessage(), e);
        }
        buffer.clear();
    }

    /** Flushes to the device, so a checkpoint that records {@link #samples} can rely on them. */
    public void sync() {
        flush();
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": sync failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        flush();
        try (FileChannel ch = channel) {
            ByteBuffer h = header(sampleRate, samples);
            ch.write(h, 0);
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot finish: " + e.getMessage(), e);
        }
    }

    private void writeHeader() throws IOException {
        ByteBuffer h = header(sampleRate, 0);
        while (h.hasRemaining()) {
            channel.write(h);
        }
    }

    static ByteBuffer header(int sampleRate, long samples) {
        long dataBytes = samples * 2;
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt((int) (36 + dataBytes));
        h.put("WAVE".getBytes(StandardCharsets.US_ASCII));
        h.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
        h.putShort((short) 1).putShort((short) 1).putInt(sampleRate).putInt(sampleRate * 2);
        h.putShort((short) 2).putShort((short) 16);
        h.put("data".getBytes(StandardCharsets.US_ASCII)).putInt((int) dataBytes);
        return h.flip();
    }
}
