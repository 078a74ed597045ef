package io.scanflow.audio.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecodingTest {
    @TempDir
    Path dir;

    @Test
    void stereoIsMixedDownByAveragingOrReadPerChannel() {
        float[] left = {0.5f, -0.5f, 0.25f, 0f};
        float[] right = {0.1f, 0.3f, -0.25f, 1f};
        Path file = WavFixtures.pcm16(dir.resolve("st.wav"), 8000, left, right);
        float[] mono = AudioFiles.readAll(file, 8000);
        for (int i = 0; i < 4; i++) {
            assertEquals((left[i] + right[i]) / 2, mono[i], 1e-4);
        }
        assertEquals(2, AudioFiles.channels(file));
        try (SampleStream s = AudioFiles.open(file, 1, 8000)) {
            float[] r = new float[4];
            assertEquals(4, s.read(r, 0, 4));
            assertArrayEquals(right, r, 1e-4f);
        }
    }

    @Test
    void eightTwentyFourAndFloatSamplesDecode() {
        // 8-bit unsigned: 0 -> -1, 128 -> 0, 255 -> ~1
        ByteBuffer b8 = ByteBuffer.allocate(47).order(ByteOrder.LITTLE_ENDIAN).put(WavFixtures.header(1, 1, 8000, 8, 1, 3));
        b8.put((byte) 0).put((byte) 128).put((byte) 255);
        float[] s8 = AudioFiles.readAll(WavFixtures.write(dir.resolve("u8.wav"), b8.array()), 8000);
        // TarsosDSP scales 8-bit PCM by 1/127 around 128, so 255 maps to 127/127 + 1/127 (just above 1).
        assertArrayEquals(new float[] {-128f / 127f, 0f, 1f}, s8, 1e-2f);

        ByteBuffer b24 = ByteBuffer.allocate(50).order(ByteOrder.LITTLE_ENDIAN).put(WavFixtures.header(1, 1, 8000, 24, 3, 6));
        b24.put(new byte[] {0, 0, 0x40}).put(new byte[] {0, 0, (byte) 0xC0}); // +0.5, -0.5
        assertArrayEquals(new float[] {0.5f, -0.5f}, AudioFiles.readAll(WavFixtures.write(dir.resolve("s24.wav"), b24.array()), 8000), 1e-4f);

        ByteBuffer bf = ByteBuffer.allocate(52).order(ByteOrder.LITTLE_ENDIAN).put(WavFixtures.header(3, 1, 8000, 32, 4, 8));
        bf.putFloat(0.75f).putFloat(-0.125f);
        assertArrayEquals(new float[] {0.75f, -0.125f}, AudioFiles.readAll(WavFixtures.write(dir.resolve("f32.wav"), bf.array()), 8000), 1e-6f);
    }

    @Test
    void extensibleFormatWithAnUnknownChunkBeforeTheData() {
        // RIFF, fmt (40-byte WAVE_FORMAT_EXTENSIBLE carrying PCM), a LIST chunk of odd size (padded), data.
        ByteBuffer b = ByteBuffer.allocate(12 + 48 + 8 + 6 + 8 + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(b.capacity() - 8)
                .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(40);
        b.putShort((short) 0xFFFE).putShort((short) 1).putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16);
        b.putShort((short) 22).putShort((short) 16).putInt(4); // cbSize, valid bits, channel mask
        b.putShort((short) 1).put(new byte[14]);                // sub-format GUID: PCM
        b.put("LIST".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(5).put(new byte[6]);
        b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(4).putShort((short) 16384).putShort((short) -16384);
        float[] s = AudioFiles.readAll(WavFixtures.write(dir.resolve("ext.wav"), b.array()), 8000);
        assertArrayEquals(new float[] {0.5f, -0.5f}, s, 1e-4f);
    }

    @Test
    void wavWriterOutputReadsBackAndResumesAfterACut() {
        float[] s = WavFixtures.sine(440, 8000, 1000, 0.5);
        Path file = dir.resolve("w.wav");
        WavWriter.write(file, 8000, s);
        assertArrayEquals(s, AudioFiles.readAll(file, 8000), 1f / 32767);
        try (WavWriter w = WavWriter.resume(file, 8000, 600)) {
            w.append(s, 600, 400);
        }
        assertArrayEquals(s, AudioFiles.readAll(file, 8000), 1f / 32767);
        assertEquals(1000, WavHeaderReader.read(file).frames());
    }
}
