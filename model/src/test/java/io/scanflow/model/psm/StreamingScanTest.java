package io.scanflow.model.psm;

import static io.scanflow.model.psm.Bits.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming evaluator's contract beyond duality: identity start, flush, partial chunks. */
class StreamingScanTest {

    private static final ScanStateSerializer<float[], float[]> SERIALIZER =
            new ScanStateSerializer<>(ScanValueCodec.floatArray(), ScanValueCodec.floatArray());

    private static List<float[]> sequence(int length, long seed) {
        Random random = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            out.add(TanhPsm.element(random));
        }
        return out;
    }

    @Test
    void testFirstChunkIsInferredFromTheIdentity() {
        TanhPsm model = new TanhPsm(2, 1);
        StreamingScan<float[], float[], float[][]> scan = new StreamingScan<>(model);
        assertSame(model.identity(), scan.prefix());
        List<float[]> seq = sequence(2, 2);
        assertTrue(scan.push(seq.get(0)).isEmpty());
        ChunkResult<float[], float[][]> r = scan.push(seq.get(1)).orElseThrow();
        assertEquals(0, r.index());
        assertSame(model.identity(), r.prefix());
        assertBitsEqual(model.infer(model.identity(), seq), r.output(), "y_0");
        assertBitsEqual(model.aggregate(model.identity(), model.encode(seq)), scan.prefix(), "s_1 = Agg(e, x_0)");
    }

    @Test
    void testFlushGivesTheCausalOutputsAndLeavesTheStateAlone() {
        TanhPsm model = new TanhPsm(5, 3);
        List<float[]> seq = sequence(5 * 7, 4);
        StreamingScan<float[], float[], float[][]> scan = new StreamingScan<>(model);
        assertTrue(scan.flush().isEmpty(), "nothing pending");
        scan.pushAll(seq.subList(0, 5 * 6 + 3));
        byte[] before = SERIALIZER.serialize(scan.state());
        float[][] partial = scan.flush().orElseThrow();
        assertArrayEquals(before, SERIALIZER.serialize(scan.state()), "flush changes nothing");
        assertEquals(3, partial.length);
        ChunkResult<float[], float[][]> full = scan.pushAll(seq.subList(5 * 6 + 3, 5 * 7)).get(0);
        for (int j = 0; j < 3; j++) {
            assertBitsEqual(full.output()[j], partial[j], "flushed output " + j + " is the full chunk's");
        }
    }

    @Test
    void testFlushIsRefusedWhenTheModelNeedsFullChunks() {
        TanhPsm inner = new TanhPsm(4, 5);
        PrefixScannableModel<float[], float[], float[][]> fullChunksOnly = new PrefixScannableModel<>() {
            @Override
            public int chunkSize() {
                return inner.chunkSize();
            }

            @Override
            public float[] identity() {
                return inner.identity();
            }

            @Override
            public float[] encode(List<float[]> chunk) {
                return inner.encode(chunk);
            }

            @Override
            public float[] aggregate(float[] left, float[] right) {
                return inner.aggregate(left, right);
            }

            @Override
            public float[][] infer(float[] prefix, List<float[]> chunk) {
                return inner.infer(prefix, chunk);
            }
        };
        StreamingScan<float[], float[], float[][]> scan = new StreamingScan<>(fullChunksOnly);
        scan.pushAll(sequence(9, 6));
        IllegalStateException e = assertThrows(IllegalStateException.class, scan::flush);
        assertTrue(e.getMessage().contains("1 of 4 elements pending after chunk 2"), e.getMessage());
        ParallelScan.Result<float[], float[], float[][]> result =
                ParallelScan.sequential(fullChunksOnly).evaluate(sequence(9, 6));
        assertEquals(1, result.tail().size());
        assertEquals(null, result.tailOutput());
    }

    @Test
    void testStatesHeldStayWithinTheBoundAndAreExactAtRest() {
        AffinePsm model = new AffinePsm(1, 1);
        StreamingScan<AffinePair, AffinePair, float[][]> scan = new StreamingScan<>(model);
        AffinePair x = AffinePair.of(new float[] {0.9f}, new float[] {0.1f});
        for (long n = 1; n <= 5000; n++) {
            scan.push(x);
            assertEquals(2 * Long.bitCount(n), scan.state().statesHeld());
            assertTrue(scan.peakStatesHeld() <= ScanTree.maxStatesHeld(n), "peak after " + n);
            assertArrayEquals(ScanTree.rootLevels(n), scan.state().rootLevels());
        }
        // The bound is reached: 2^k - 1 chunks hold 2k states at rest.
        assertEquals(ScanTree.maxStatesHeld(4095), 2 * Long.bitCount(4095));
    }

    @Test
    void testAFailingModelCallLeavesTheStateAsItWas() {
        TanhPsm inner = new TanhPsm(2, 7);
        boolean[] fail = {false};
        PrefixScannableModel<float[], float[], float[][]> flaky = new PrefixScannableModel<>() {
            @Override
            public int chunkSize() {
                return inner.chunkSize();
            }

            @Override
            public float[] identity() {
                return inner.identity();
            }

            @Override
            public float[] encode(List<float[]> chunk) {
                return inner.encode(chunk);
            }

            @Override
            public float[] aggregate(float[] left, float[] right) {
                if (fail[0]) {
                    throw new IllegalStateException("Agg failed on purpose");
                }
                return inner.aggregate(left, right);
            }

            @Override
            public float[][] infer(float[] prefix, List<float[]> chunk) {
                return inner.infer(prefix, chunk);
            }
        };
        List<float[]> seq = sequence(2 * 16, 8);
        StreamingScan<float[], float[], float[][]> reference = new StreamingScan<>(inner);
        List<ChunkResult<float[], float[][]>> expected = reference.pushAll(seq);

        StreamingScan<float[], float[], float[][]> scan = new StreamingScan<>(flaky);
        // 15 chunks hold 4 roots; the 16th would merge all of them.
        scan.pushAll(seq.subList(0, 2 * 15 + 1));
        byte[] before = SERIALIZER.serialize(scan.state());
        fail[0] = true;
        assertThrows(IllegalStateException.class, () -> scan.push(seq.get(2 * 15 + 1)));
        assertArrayEquals(before, SERIALIZER.serialize(scan.state()), "state untouched by the failed push");
        fail[0] = false;
        ChunkResult<float[], float[][]> retried = scan.push(seq.get(2 * 15 + 1)).orElseThrow();
        assertBitsEqual(expected.get(15).output(), retried.output(), "retried chunk");
        assertBitsEqual(reference.prefix(), scan.prefix(), "state after retry");
    }
}
