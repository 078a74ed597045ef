package io.scanflow.jobs.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The raw little-endian file formats of the command line contract: int32 tokens, float32 logits. */
final class TokenFiles {
    private TokenFiles() {}

    /** Reads int32 [batch, L] and checks the size and every token against the vocabulary. */
    static int[][] readTokens(Path file, int batch, int vocab) throws IOException {
        if (batch <= 0) {
            throw new IllegalArgumentException("--batch must be positive, found " + batch);
        }
        long size = Files.size(file);
        if (size % 4 != 0 || size / 4 % batch != 0 || size == 0) {
            throw new IllegalArgumentException(file + ": " + size + " bytes is not int32 [" + batch + ", L] for any L >= 1");
        }
        int length = Math.toIntExact(size / 4 / batch);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int[][] tokens = new int[batch][length];
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < length; t++) {
                int v = b.getInt();
                if (v < 0 || v >= vocab) {
                    throw new IllegalArgumentException(file + ": record " + i + ", position " + t + ": token " + v
                            + " is outside the model's vocabulary [0, " + vocab + ")");
                }
                tokens[i][t] = v;
            }
        }
        return tokens;
    }

    static void writeFloats(Path file, float[][] rows) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (float[] row : rows) {
                ByteBuffer b = ByteBuffer.allocate(row.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(row);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
    }

    static void writeInts(Path file, int[][] rows) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int[] row : rows) {
                ByteBuffer b = ByteBuffer.allocate(row.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asIntBuffer().put(row);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
    }
}
