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

    static void writeInts(Path file, int[][] rows) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.allocate(4 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (int[] row : rows) {
                for (int from = 0; from < row.length; from += b.capacity() / 4) {
                    int n = Math.min(b.capacity() / 4, row.length - from);
                    b.clear();
                    b.asIntBuffer().put(row, from, n);
                    b.limit(4 * n);
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            }
        }
    }
}
