package io.scanflow.audio.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Pinned bytes of the WAV sink's committables and writer state, which live in checkpoints and savepoints:
 * a change of format must come with a new version, not by accident. The bytes are written out by hand
 * from the format (Java's modified UTF-8 with a 2-byte length, big-endian int and long), not taken from
 * the code under test.
 */
class WavSinkSerializersTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void committableVersion1() throws IOException {
        var s = new WavSinkSerializers.Committables();
        WavCommittable c = new WavCommittable("a/.p", "b.wav");
        byte[] pinned = HEX.parseHex("0004" + "612f2e70" + "0005" + "622e776176");
        assertEquals(1, s.getVersion());
        assertArrayEquals(pinned, s.serialize(c));
        assertEquals(c, s.deserialize(1, pinned));
    }

    @Test
    void writerStateVersion1() throws IOException {
        var s = new WavSinkSerializers.WriterStates();
        WavWriterState w = new WavWriterState("s\u00e9", "p", 16000, 5L);
        byte[] pinned = HEX.parseHex("0003" + "73c3a9" + "0001" + "70" + "00003e80" + "0000000000000005");
        assertEquals(1, s.getVersion());
        assertArrayEquals(pinned, s.serialize(w));
        assertEquals(w, s.deserialize(1, pinned));
    }

    @Test
    void anUnknownVersionIsRefusedByName() {
        IOException e = assertThrows(IOException.class,
                () -> new WavSinkSerializers.WriterStates().deserialize(2, new byte[0]));
        assertEquals("WAV writer state: unknown serializer version 2 (this build reads 1)", e.getMessage());
    }
}
