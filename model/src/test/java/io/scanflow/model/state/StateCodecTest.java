package io.scanflow.model.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.RecurrentState;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class StateCodecTest {
    private static RecurrentState sample() {
        RecurrentState s = new RecurrentState(3);
        s.data()[0] = 1.5f;
        s.data()[1] = -0f;
        s.data()[2] = Float.MIN_VALUE;
        s.advance(42);
        return s;
    }

    @Test
    void roundTripKeepsEveryBitAndThePosition() {
        RecurrentState s = sample();
        RecurrentState back = new RecurrentState(3);
        StateCodec.decode(StateCodec.encode(s, 7L), 7L, back);
        assertArrayEquals(s.data(), back.data());
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back.data()[1]));
        assertEquals(42, back.position());
    }

    /** Version 2's bytes, pinned: a format change must bump the version and keep reading these. */
    @Test
    void versionTwoLayoutIsPinned() {
        byte[] bytes = StateCodec.encode(sample(), 0x0102030405060708L);
        assertEquals(VERSION_2_HEX, HexFormat.of().formatHex(bytes));
    }

    /** The bytes version 1 wrote (little-endian), as builds before version 2 put them in savepoints. */
    private static final String VERSION_1_HEX = "5346535401000807060504030201" + "2a00000000000000" + "03000000"
            + "0000c03f" + "00000080" + "01000000";
    private static final String VERSION_2_HEX = "5346535400020102030405060708" + "000000000000002a" + "00000003"
            + "3fc00000" + "80000000" + "00000001";

    @Test
    void versionOneBytesStillRestoreEveryBitAndThePosition() {
        RecurrentState back = new RecurrentState(3);
        StateCodec.decode(HexFormat.of().parseHex(VERSION_1_HEX), 0x0102030405060708L, back);
        assertArrayEquals(sample().data(), back.data());
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back.data()[1]));
        assertEquals(42, back.position());
        // Restored and written again, the state comes out as version 2.
        assertEquals(VERSION_2_HEX, HexFormat.of().formatHex(StateCodec.encode(back, 0x0102030405060708L)));
    }

    @Test
    void versionOneBytesOfAnotherModelOrSizeAreStillRefused() {
        byte[] v1 = HexFormat.of().parseHex(VERSION_1_HEX);
        StateFormatException e = assertThrows(StateFormatException.class,
                () -> StateCodec.decode(v1, 7L, new RecurrentState(3)));
        assertTrue(e.getMessage().contains("another model"), e.getMessage());
        e = assertThrows(StateFormatException.class,
                () -> StateCodec.decode(v1, 0x0102030405060708L, new RecurrentState(4)));
        assertTrue(e.getMessage().contains("3 floats"), e.getMessage());
    }

    @Test
    void foreignModelWrongMagicWrongVersionAndWrongSizeAreNamed() {
        byte[] good = StateCodec.encode(sample(), 7L);
        StateFormatException e = assertThrows(StateFormatException.class,
                () -> StateCodec.decode(good, 8L, new RecurrentState(3)));
        assertTrue(e.getMessage().contains("another model"), e.getMessage());

        byte[] magic = good.clone();
        magic[0] = 'X';
        e = assertThrows(StateFormatException.class, () -> StateCodec.decode(magic, 7L, new RecurrentState(3)));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());

        byte[] version = good.clone();
        ByteBuffer.wrap(version).putShort(4, (short) 9);
        e = assertThrows(StateFormatException.class, () -> StateCodec.decode(version, 7L, new RecurrentState(3)));
        assertTrue(e.getMessage().contains("version field 0x0009"), e.getMessage());

        e = assertThrows(StateFormatException.class, () -> StateCodec.decode(good, 7L, new RecurrentState(4)));
        assertTrue(e.getMessage().contains("3 floats"), e.getMessage());

        e = assertThrows(StateFormatException.class, () -> StateCodec.decode(new byte[5], 7L, new RecurrentState(3)));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
    }
}
