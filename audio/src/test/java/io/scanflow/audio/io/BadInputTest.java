package io.scanflow.audio.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.AudioFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input fails with the file, the byte offset and the field at fault. */
class BadInputTest {
    @TempDir
    Path dir;

    private AudioFormatException fails(Path file) {
        return assertThrows(AudioFormatException.class, () -> AudioFiles.open(file, AudioFiles.MIX_DOWN, 16000).close());
    }

    @Test
    void truncatedHeaderNamesWhereTheFileEnded() {
        byte[] full = WavFixtures.header(1, 1, 16000, 16, 2, 100).array();
        Path file = WavFixtures.write(dir.resolve("cut.wav"), Arrays.copyOf(full, 30)); // ends inside fmt
        AudioFormatException e = fails(file);
        assertEquals(file.toString(), e.file());
        assertEquals("fmt", e.field());
        assertEquals(30, e.byteOffset());
        assertTrue(e.getMessage().contains("truncated header"), e.getMessage());

        Path tiny = WavFixtures.write(dir.resolve("tiny.wav"), "RIF".getBytes(StandardCharsets.US_ASCII));
        AudioFormatException e2 = fails(tiny);
        assertEquals("RIFF header", e2.field());
        assertEquals(3, e2.byteOffset());
    }

    @Test
    void headerWithoutDataChunkIsTruncated() {
        Path file = WavFixtures.write(dir.resolve("nodata.wav"), Arrays.copyOf(WavFixtures.header(1, 1, 16000, 16, 2, 0).array(), 36));
        AudioFormatException e = fails(file);
        assertEquals("data", e.field());
        assertEquals(36, e.byteOffset());
    }

    @Test
    void unsupportedSampleWidthNamesTheBitsField() {
        ByteBuffer b = ByteBuffer.allocate(44 + 60).order(ByteOrder.LITTLE_ENDIAN);
        b.put(WavFixtures.header(1, 1, 16000, 12, 2, 60));
        AudioFormatException e = fails(WavFixtures.write(dir.resolve("twelve.wav"), b.array()));
        assertEquals("fmt.bitsPerSample", e.field());
        assertEquals(34, e.byteOffset());
        assertTrue(e.getMessage().contains("12 bits"), e.getMessage());
    }

    @Test
    void unsupportedEncodingNamesTheFormatTag() {
        ByteBuffer b = ByteBuffer.allocate(44 + 60).order(ByteOrder.LITTLE_ENDIAN);
        b.put(WavFixtures.header(6, 1, 8000, 8, 1, 60)); // A-law
        AudioFormatException e = fails(WavFixtures.write(dir.resolve("alaw.wav"), b.array()));
        assertEquals("fmt.audioFormat", e.field());
        assertEquals(20, e.byteOffset());
    }

    @Test
    void zeroLengthDataIsNamed() {
        AudioFormatException e = fails(WavFixtures.write(dir.resolve("empty.wav"), WavFixtures.header(1, 1, 16000, 16, 2, 0).array()));
        assertEquals("data.size", e.field());
        assertEquals(40, e.byteOffset());
        assertTrue(e.getMessage().contains("zero-length"), e.getMessage());
    }

    @Test
    void dataShorterThanDeclaredIsTruncated() {
        ByteBuffer b = ByteBuffer.allocate(44 + 10).order(ByteOrder.LITTLE_ENDIAN);
        b.put(WavFixtures.header(1, 1, 16000, 16, 2, 1000));
        AudioFormatException e = fails(WavFixtures.write(dir.resolve("short.wav"), b.array()));
        assertEquals("data", e.field());
        assertEquals(54, e.byteOffset());
    }

    @Test
    void nonAudioFileWithAWavNameIsNotRiff() {
        Path file = WavFixtures.write(dir.resolve("notes.wav"), "these are not samples\n".getBytes(StandardCharsets.US_ASCII));
        AudioFormatException e = fails(file);
        assertEquals("riff.id", e.field());
        assertEquals(0, e.byteOffset());
        assertTrue(e.getMessage().contains("'thes'"), e.getMessage());
    }

    @Test
    void nonAudioFileOfAnotherTypeNamesTheDecoderProblem() {
        Path file = WavFixtures.write(dir.resolve("notes.txt"), "plain text".getBytes(StandardCharsets.US_ASCII));
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> {
            try (SampleStream s = AudioFiles.open(file, AudioFiles.MIX_DOWN, 16000)) {
                s.read(new float[100], 0, 100);
            }
        });
        assertEquals("format", e.field());
        assertEquals(file.toString(), e.file());
        if (FfmpegDecoder.findFfmpeg() == null) {
            assertTrue(e.getMessage().contains("install ffmpeg"), e.getMessage());
        }
    }

    @Test
    void riffOfAnotherKindIsNotWave() {
        ByteBuffer b = WavFixtures.header(1, 1, 16000, 16, 2, 0);
        b.put(8, "AVI ".getBytes(StandardCharsets.US_ASCII));
        AudioFormatException e = fails(WavFixtures.write(dir.resolve("video.wav"), b.array()));
        assertEquals("riff.format", e.field());
        assertEquals(8, e.byteOffset());
    }
}
