package io.scanflow.flink.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.ScanInput;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The key state's binary form: round trips, the version-1 bytes stay readable, snapshots stay compatible. */
class KeyStateSerializerTest {

    /**
     * {@link #full()} as written by format version 1. Never regenerate: a later format must keep
     * reading these bytes (savepoints written by this version).
     */
    private static final String GOLDEN_V1 = "010f000000050102030405123456789abcdef0000000000000001100000000000000030000002a000000000000000200"
            + "000008000000050100000000000003e800000000000007d00000000000000063000000073e800000000000023fc00000"
            + "c00000000000000300036b657900000003000000010000000200000003ffffffff000000000000000005000000000000"
            + "004d00036b6579ffffffffffffffff010000000000000006800000000000000000036b6579ffffffff000000013f0000"
            + "00000000000000000007000000000000004e";

    static KeyState full() {
        return new KeyState(new byte[] {1, 2, 3, 4, 5}, 0x1234_5678_9abc_def0L, 17, 3, 42,
                new KeyState.Session(2, 8, 5, true, 1_000L, 2_000L),
                new KeyState.LastPrediction(99, 7, 0.25f, new float[] {1.5f, -2f}),
                List.of(new KeyState.Queued(ScanInput.tokens("key", 5, 1, 2, 3), 77L),
                        new KeyState.Queued(ScanInput.end("key", 6), Long.MIN_VALUE),
                        new KeyState.Queued(new ScanInput("key", null, new float[] {0.5f}, false, 7), 78L)));
    }

    private static byte[] write(KeyState s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        KeyStateSerializer.INSTANCE.serialize(s, out);
        return out.getCopyOfBuffer();
    }

    private static KeyState read(byte[] bytes) throws IOException {
        return KeyStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
    }

    private static void assertSameState(KeyState expected, KeyState actual) throws IOException {
        // Arrays compare by identity inside records; the bytes compare by value.
        assertArrayEquals(write(expected), write(actual));
        assertEquals(expected.session(), actual.session());
        assertEquals(expected.queue().size(), actual.queue().size());
    }

    @Test
    void aFullStateRoundTrips() throws IOException {
        KeyState s = full();
        KeyState back = read(write(s));
        assertSameState(s, back);
        assertArrayEquals(s.model(), back.model());
        assertEquals(s.rng(), back.rng());
        assertEquals(42, back.pendingToken());
        assertArrayEquals(new float[] {1.5f, -2f}, back.last().logits());
        assertArrayEquals(new int[] {1, 2, 3}, back.queue().get(0).record().tokens());
        assertNull(back.queue().get(1).record().tokens());
        assertTrue(back.queue().get(1).record().endOfStream());
        assertArrayEquals(new float[] {0.5f}, back.queue().get(2).record().features());
    }

    @Test
    void anEmptyStateRoundTrips() throws IOException {
        KeyState s = KeyStateSerializer.INSTANCE.createInstance();
        assertSameState(s, read(write(s)));
    }

    @Test
    void copiesAreDeep() throws IOException {
        KeyState s = full();
        KeyState c = KeyStateSerializer.INSTANCE.copy(s);
        assertNotSame(s.model(), c.model());
        assertNotSame(s.last().logits(), c.last().logits());
        assertNotSame(s.queue().get(0).record().tokens(), c.queue().get(0).record().tokens());
        assertSameState(s, c);
    }

    @Test
    void versionOneBytesStayReadable() throws IOException {
        byte[] current = write(full());
        assertEquals(GOLDEN_V1, HexFormat.of().formatHex(current), "format version 1 changed");
        assertSameState(full(), read(HexFormat.of().parseHex(GOLDEN_V1)));
    }

    @Test
    void anUnknownVersionIsRefusedWithItsNumber() {
        byte[] bytes = {9, 0};
        IOException e = assertThrows(IOException.class, () -> read(bytes));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }

    @Test
    void aRestoredSnapshotIsCompatibleAsIs() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, KeyStateSerializer.INSTANCE.snapshotConfiguration());
        TypeSerializerSnapshot<KeyState> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        TypeSerializer<KeyState> serializer = restored.restoreSerializer();
        assertTrue(serializer instanceof KeyStateSerializer);
        TypeSerializerSchemaCompatibility<KeyState> compat =
                KeyStateSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertTrue(compat.isCompatibleAsIs());
    }
}
