package io.scanflow.jobs.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The logits command's output, raw little-endian float32 {@code [B, L, V]}, written a run of
 * positions at a time at their places in the file (any size: offsets are longs, buffers are small).
 */
final class LogitsFile implements AutoCloseable {
    private static final int BUFFER_FLOATS = 1 << 20;

    private final FileChannel channel;
    private final int length;
    private final int vocab;
    private final ByteBuffer buffer = ByteBuffer.allocate(4 * BUFFER_FLOATS).order(ByteOrder.LITTLE_ENDIAN);

    LogitsFile(Path file, int batch, int length, int vocab) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        this.length = length;
        this.vocab = vocab;
    }

    /** {@code rows[b]} holds the logits of sequence b from position {@code start} on. */
    void write(int start, float[][] rows) throws IOException {
        for (int b = 0; b < rows.length; b++) {
            long at = ((long) b * length + start) * vocab * 4;
            float[] row = rows[b];
            for (int from = 0; from < row.length; from += BUFFER_FLOATS) {
                int n = Math.min(BUFFER_FLOATS, row.length - from);
                buffer.clear();
                buffer.asFloatBuffer().put(row, from, n);
                buffer.limit(4 * n);
                while (buffer.hasRemaining()) {
                    at += channel.write(buffer, at);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
