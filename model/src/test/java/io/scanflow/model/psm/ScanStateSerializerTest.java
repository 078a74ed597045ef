package io.scanflow.model.psm;

import static io.scanflow.model.psm.Bits.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stream state's versioned bytes. */
class ScanStateSerializerTest {

    private static final ScanStateSerializer<float[], float[]> SERIALIZER =
            new ScanStateSerializer<>(ScanValueCodec.floatArray(), ScanValueCodec.floatArray());

    /**
     * Version 1 bytes of {@link #pinnedState()}, written out by hand from the documented layout.
     * If this test fails, the format changed: bump the version, keep a reader for these bytes.
     */
    private static final String V1_HEX = ""
            + "50534d53" + "00000001"                 // magic "PSMS", version 1
            + "00000003" + "0000000000000005"         // chunk size 3, 5 chunks
            + "00000002"                              // 2 roots (5 = 4 + 1)
            + "02" + "00000002" + "3f800000" + "c0200000"     // level 2, root [1, -2.5]
            + "00000001" + "3e800000"                          //   fold [0.25]
            + "00" + "00000001" + "3f000000"                   // level 0, root [0.5]
            + "00000002" + "40400000" + "80000000"             //   fold [3, -0]
            + "00000002"                                       // 2 pending elements
            + "00000001" + "40e00000"                          //   [7]
            + "00000002" + "3fc00000" + "40000000";            //   [1.5, 2]

    private static ScanState<float[], float[]> pinnedState() {
        return ScanState.of(3, 5,
                List.of(new float[] {1f, -2.5f}, new float[] {0.5f}),
                List.of(new float[] {0.25f}, new float[] {3f, -0f}),
                List.of(new float[] {7f}, new float[] {1.5f, 2f}));
    }

    @Test
    void testVersion1BytesArePinned() {
        assertEquals(V1_HEX, HexFormat.of().formatHex(SERIALIZER.serialize(pinnedState())));
    }

    @Test
    void testReadsVersion1Bytes() throws IOException {
        ScanState<float[], float[]> state = SERIALIZER.deserialize(HexFormat.of().parseHex(V1_HEX));
        ScanState<float[], float[]> want = pinnedState();
        assertEquals(3, state.chunkSize());
        assertEquals(5, state.chunks());
        assertEquals(17, state.position());
        assertArrayEquals(new int[] {2, 0}, state.rootLevels());
        for (int m = 0; m < 2; m++) {
            assertBitsEqual(want.roots().get(m), state.roots().get(m), "root " + m);
            assertBitsEqual(want.folds().get(m), state.folds().get(m), "fold " + m);
            assertBitsEqual(want.pending().get(m), state.pending().get(m), "pending " + m);
        }
    }

    @Test
    void testRoundTripOfLiveStatesContinuesIdentically() throws IOException {
        TanhPsm model = new TanhPsm(4, 9);
        Random random = new Random(10);
        List<float[]> seq = new ArrayList<>();
        for (int i = 0; i < 4 * 70 + 3; i++) {
            seq.add(TanhPsm.element(random));
        }
        StreamingScan<float[], float[], float[][]> reference = new StreamingScan<>(model);
        List<ChunkResult<float[], float[][]>> expected = reference.pushAll(seq);
        for (int cut : new int[] {0, 1, 3, 4, 5, 63, 64, 128, 129, 4 * 70, 4 * 70 + 3}) {
            StreamingScan<float[], float[], float[][]> head = new StreamingScan<>(model);
            head.pushAll(seq.subList(0, cut));
            byte[] bytes = SERIALIZER.serialize(head.state());
            ScanState<float[], float[]> restored = SERIALIZER.deserialize(bytes);
            assertArrayEquals(bytes, SERIALIZER.serialize(restored));
            StreamingScan<float[], float[], float[][]> tail = new StreamingScan<>(model, restored);
            for (ChunkResult<float[], float[][]> r : tail.pushAll(seq.subList(cut, seq.size()))) {
                assertBitsEqual(expected.get((int) r.index()).output(), r.output(), "output " + r.index());
            }
            assertBitsEqual(reference.prefix(), tail.prefix(), "final prefix after cut " + cut);
        }
    }

    @Test
    void testSizeIsLogarithmicInTheChunkCount() {
        AffinePsm model = new AffinePsm(1, 1);
        ScanStateSerializer<AffinePair, AffinePair> serializer =
                new ScanStateSerializer<>(AffinePair.codec(), AffinePair.codec());
        StreamingScan<AffinePair, AffinePair, float[][]> scan = new StreamingScan<>(model);
        AffinePair x = AffinePair.of(new float[] {0.5f}, new float[] {1f});
        for (int n = 1; n <= 4096; n++) {
            scan.push(x);
            int bytes = serializer.serialize(scan.state()).length;
            // 24 header bytes, 4 for the pending count, per root a level byte and two 12-byte pairs.
            assertEquals(24 + 4 + 25 * Long.bitCount(n), bytes, "bytes after " + n + " chunks");
        }
    }

    @Test
    void testRejectsBadBytesWithAClearMessage() {
        byte[] good = HexFormat.of().parseHex(V1_HEX);

        byte[] badMagic = good.clone();
        badMagic[0] = 0x51;
        assertMessage(badMagic, "magic 0x51534D53, expected 0x50534D53");

        byte[] future = good.clone();
        future[7] = 2;
        assertMessage(future, "version 2 is not known to this reader");

        byte[] wrongRootCount = good.clone();
        wrongRootCount[23] = 3;
        assertMessage(wrongRootCount, "3 roots after 5 chunks, expected 2");

        byte[] wrongLevel = good.clone();
        wrongLevel[24] = 1;
        assertMessage(wrongLevel, "root 0 has level 1");

        byte[] trailing = HexFormat.of().parseHex(V1_HEX + "00");
        assertMessage(trailing, "1 bytes left over");

        byte[] truncated = HexFormat.of().parseHex(V1_HEX.substring(0, V1_HEX.length() - 8));
        assertThrows(EOFException.class, () -> SERIALIZER.deserialize(truncated));

        byte[] tooManyPending = HexFormat.of().parseHex(V1_HEX.replace(
                "00000002" + "00000001" + "40e00000", "00000003" + "00000001" + "40e00000"));
        assertMessage(tooManyPending, "3 pending elements, expected 0..2");
    }

    private static void assertMessage(byte[] bytes, String fragment) {
        IOException e = assertThrows(IOException.class, () -> SERIALIZER.deserialize(bytes));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void testRestoringIntoAModelWithAnotherChunkSizeFails() {
        ScanState<float[], float[]> state = pinnedState();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StreamingScan<>(new TanhPsm(4, 1), state));
        assertTrue(e.getMessage().contains("chunk size 3 but the model's is 4"), e.getMessage());
    }

    @Test
    void testInconsistentStatesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ScanState.of(3, 5, List.of(new float[1]),
                List.of(new float[1]), List.of()));
        assertThrows(IllegalArgumentException.class, () -> ScanState.of(2, 0, List.of(), List.of(),
                List.of(new float[1], new float[1])));
    }
}
