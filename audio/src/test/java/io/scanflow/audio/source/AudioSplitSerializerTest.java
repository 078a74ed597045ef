package io.scanflow.audio.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AudioSplitSerializerTest {
    /** Version 1 bytes of {@code AudioSplit("/a.wav", -1, "a.wav", 12345, true)}, frozen: old checkpoints hold them. */
    private static final String V1 = "0006" + "2f612e776176" + "ffffffff" + "0005" + "612e776176" + "0000000000003039" + "01";

    @Test
    void readsVersionOneBytes() throws IOException {
        AudioSplit s = AudioSplitSerializer.INSTANCE.deserialize(1, HexFormat.of().parseHex(V1));
        assertEquals(new AudioSplit("/a.wav", -1, "a.wav", 12345, true), s);
    }

    @Test
    void writesVersionOneBytes() throws IOException {
        assertEquals(1, AudioSplitSerializer.INSTANCE.getVersion());
        assertArrayEquals(HexFormat.of().parseHex(V1),
                AudioSplitSerializer.INSTANCE.serialize(new AudioSplit("/a.wav", -1, "a.wav", 12345, true)));
    }

    @Test
    void unknownVersionIsRefusedWithItsNumber() {
        IOException e = assertThrows(IOException.class, () -> AudioSplitSerializer.INSTANCE.deserialize(2, new byte[0]));
        assertEquals("audio split: unknown serializer version 2 (this build reads 1)", e.getMessage());
    }

    @Test
    void enumeratorStateRoundTrips() throws IOException {
        AudioEnumeratorStateSerializer ser = new AudioEnumeratorStateSerializer();
        AudioEnumeratorState st = new AudioEnumeratorState(
                List.of(new AudioSplit("/x/b.wav", 1, "b.wav#c1", 7, false)), Set.of("/x/b.wav", "/x/a.wav"));
        assertEquals(st, ser.deserialize(1, ser.serialize(st)));
    }
}
