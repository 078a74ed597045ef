package io.scanflow.jobs.cli;

import io.scanflow.jobs.stream.TokenFile;
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
        CliFiles.requireFile("--tokens", file);
        return TokenFile.parse(file.toString(), Files.readAllBytes(file), batch, vocab);
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
