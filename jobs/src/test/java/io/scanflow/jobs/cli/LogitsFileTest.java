package io.scanflow.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logits beyond 2 GiB go to their places in the file: offsets are not ints (the file is sparse here). */
class LogitsFileTest {
    @TempDir
    Path tmp;

    @Test
    void rowsPast2GiBLandAtTheirOffsets() throws IOException {
        int length = 1 << 20;
        int vocab = 1 << 10;
        Path out = tmp.resolve("l.f32");
        try (LogitsFile file = new LogitsFile(out, 2, length, vocab)) {
            float[][] last = new float[2][vocab];
            last[0][0] = 1.5f;
            last[1][vocab - 1] = -2.5f;
            file.write(length - 1, last);
        }
        long total = 2L * length * vocab * 4;
        assertEquals(total, Files.size(out), "[2, 2^20, 2^10] float32 = 8 GiB");
        try (FileChannel ch = FileChannel.open(out)) {
            assertEquals(1.5f, floatAt(ch, ((long) length - 1) * vocab * 4));
            assertEquals(-2.5f, floatAt(ch, total - 4));
        }
    }

    private static float floatAt(FileChannel ch, long offset) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(b, offset);
        return b.flip().getFloat();
    }
}
