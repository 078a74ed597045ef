package io.scanflow.model.psm;

import static io.scanflow.model.psm.Bits.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sequential-parallel duality: with a non-associative {@code Agg}, {@link StreamingScan} and
 * {@link ParallelScan} make the same {@code Agg} calls on the same arguments, so their prefix
 * states and outputs agree bit for bit for every chunk count, also across a checkpoint.
 */
class DualityTest {

    private static final int C = 3;
    private static final int MAX_N = 1024;

    private static ForkJoinPool pool;

    @BeforeAll
    static void startPool() {
        pool = new ForkJoinPool(3);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdown();
    }

    private static List<float[]> sequence(int length, long seed) {
        Random random = new Random(seed);
        List<float[]> out = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            out.add(TanhPsm.element(random));
        }
        return out;
    }

    @Test
    void testAggregationIsNotAssociativeAndIdentityIsNotNeutral() {
        TanhPsm m = new TanhPsm(C, 42);
        Random random = new Random(1);
        float[] a = TanhPsm.state(random);
        float[] b = TanhPsm.state(random);
        float[] c = TanhPsm.state(random);
        float[] leftFirst = m.aggregate(m.aggregate(a, b), c);
        float[] rightFirst = m.aggregate(a, m.aggregate(b, c));
        assertFalse(Bits.equal(leftFirst, rightFirst), "Agg((a, b), c) must differ from Agg(a, (b, c))");
        // Not a rounding-level difference: the brackets are different functions.
        double gap = 0;
        for (int i = 0; i < leftFirst.length; i++) {
            gap = Math.max(gap, Math.abs(leftFirst[i] - rightFirst[i]));
        }
        assertTrue(gap > 1e-2, "associativity gap " + gap);
        assertFalse(Bits.equal(m.aggregate(m.identity(), a), a), "e is not neutral");
        assertFalse(Bits.equal(m.aggregate(a, b), m.aggregate(b, a)), "Agg is not commutative");
    }

    @Test
    void testTreeShapeForThreeChunksIsTheBinaryDecomposition() {
        TanhPsm m = new TanhPsm(C, 42);
        List<float[]> seq = sequence(3 * C, 2);
        float[] e = m.identity();
        float[] x0 = m.encode(seq.subList(0, C));
        float[] x1 = m.encode(seq.subList(C, 2 * C));
        float[] x2 = m.encode(seq.subList(2 * C, 3 * C));
        float[] s3 = ParallelScan.sequential(m).evaluate(seq).finalState();

        // 3 = 2 + 1: roots (x0 x1) and x2, joined by the left fold from e.
        float[] counterTree = m.aggregate(m.aggregate(e, m.aggregate(x0, x1)), x2);
        assertBitsEqual(counterTree, s3, "s_3");
        // Other trees over 3 leaves give other states: the shape is not a detail.
        float[] foldAfterTree = m.aggregate(e, m.aggregate(m.aggregate(x0, x1), x2));
        float[] plainFold = m.aggregate(m.aggregate(m.aggregate(e, x0), x1), x2);
        assertFalse(Bits.equal(foldAfterTree, s3));
        assertFalse(Bits.equal(plainFold, s3));
        assertBitsEqual(s3, streamPrefix(m, seq), "stream s_3");
    }

    private static float[] streamPrefix(TanhPsm m, List<float[]> seq) {
        StreamingScan<float[], float[], float[][]> s = new StreamingScan<>(m);
        s.pushAll(seq);
        return s.prefix();
    }

    @Test
    void testStreamingAndParallelAreBitIdenticalForEveryChunkCountUpTo1024() throws IOException {
        TanhPsm base = new TanhPsm(C, 42);
        List<float[]> master = sequence(MAX_N * C + C, 3);
        Random random = new Random(4);
        ScanStateSerializer<float[], float[]> serializer =
                new ScanStateSerializer<>(ScanValueCodec.floatArray(), ScanValueCodec.floatArray());
        int midChunkRestores = 0;
        int boundaryRestores = 0;

        for (int n = 1; n <= MAX_N; n++) {
            int tail = random.nextInt(C);
            List<float[]> seq = master.subList(0, n * C + tail);

            CountingPsm<float[], float[], float[][]> parallelModel = new CountingPsm<>(base);
            ParallelScan.Result<float[], float[], float[][]> parallel =
                    ParallelScan.onPool(parallelModel, pool).evaluate(seq);
            assertEquals(n, parallel.chunks());
            assertEquals(ScanTree.aggregateCalls(n), parallelModel.aggregateCalls(), "parallel Agg calls, n=" + n);
            assertEquals(n, parallelModel.encodeCalls());

            // Stream, checkpoint to bytes at a random element, restore, go on.
            CountingPsm<float[], float[], float[][]> streamModel = new CountingPsm<>(base);
            int cut = random.nextInt(seq.size() + 1);
            if (cut % C == 0) {
                boundaryRestores++;
            } else {
                midChunkRestores++;
            }
            List<ChunkResult<float[], float[][]>> results = new ArrayList<>();
            StreamingScan<float[], float[], float[][]> first = new StreamingScan<>(streamModel);
            stream(first, seq.subList(0, cut), streamModel, results);
            byte[] bytes = serializer.serialize(first.state());
            StreamingScan<float[], float[], float[][]> second =
                    new StreamingScan<>(streamModel, serializer.deserialize(bytes));
            stream(second, seq.subList(cut, seq.size()), streamModel, results);

            assertEquals(n, results.size());
            for (int i = 0; i < n; i++) {
                ChunkResult<float[], float[][]> r = results.get(i);
                assertEquals(i, r.index());
                assertBitsEqual(parallel.prefixes().get(i), r.prefix(), "prefix s_" + i + ", n=" + n);
                assertBitsEqual(parallel.outputs().get(i), r.output(), "output y_" + i + ", n=" + n);
            }
            assertBitsEqual(parallel.finalState(), second.prefix(), "final state, n=" + n);
            Optional<float[][]> flushed = second.flush();
            if (tail == 0) {
                assertTrue(flushed.isEmpty());
                assertNull(parallel.tailOutput());
            } else {
                assertBitsEqual(parallel.tailOutput(), flushed.orElseThrow(), "tail output, n=" + n);
            }

            // Same cost, the exact bound, and the same state as the parallel run leaves behind.
            assertEquals(ScanTree.aggregateCalls(n), streamModel.aggregateCalls(), "streaming Agg calls, n=" + n);
            assertTrue(streamModel.aggregateCalls() < 2L * n, "under 2 Agg per chunk, n=" + n);
            assertTrue(Math.max(first.peakStatesHeld(), second.peakStatesHeld()) <= ScanTree.maxStatesHeld(n),
                    "states held, n=" + n);
            assertArrayEquals(serializer.serialize(parallel.toStreamState()), serializer.serialize(second.state()),
                    "stream state after n=" + n);
        }
        assertTrue(midChunkRestores > 100 && boundaryRestores > 100,
                "restores mid-chunk " + midChunkRestores + ", at a boundary " + boundaryRestores);
    }

    /** Pushes elements one at a time, checking the per-chunk cost and the states held at rest. */
    private static void stream(StreamingScan<float[], float[], float[][]> scan, List<float[]> elements,
                               CountingPsm<float[], float[], float[][]> counter,
                               List<ChunkResult<float[], float[][]>> results) {
        for (float[] x : elements) {
            long before = counter.aggregateCalls();
            Optional<ChunkResult<float[], float[][]>> r = scan.push(x);
            if (r.isPresent()) {
                long n = scan.chunks();
                assertEquals(ScanTree.aggregateCallsAtChunk(n), counter.aggregateCalls() - before, "Agg at chunk " + n);
                assertEquals(2 * Long.bitCount(n), scan.state().statesHeld(), "states at rest after " + n);
                results.add(r.get());
            } else {
                assertEquals(before, counter.aggregateCalls());
            }
        }
    }

    @Test
    void testBothEvaluatorsMakeTheSameAggCallsOnTheSameArguments() {
        TanhPsm base = new TanhPsm(C, 42);
        List<float[]> master = sequence(128 * C, 5);
        for (int n = 1; n <= 128; n++) {
            List<float[]> seq = master.subList(0, n * C);
            RecordingPsm streaming = new RecordingPsm(base);
            new StreamingScan<>(streaming).pushAll(seq);
            RecordingPsm parallel = new RecordingPsm(base);
            ParallelScan.onPool(parallel, pool).evaluate(seq);
            assertEquals(streaming.sortedCalls(), parallel.sortedCalls(), "Agg calls, n=" + n);
            assertEquals(ScanTree.aggregateCalls(n), streaming.sortedCalls().size());
        }
    }

    @Test
    void testParallelPrefillThenStreamingEqualsStreamingAlone() {
        TanhPsm base = new TanhPsm(C, 42);
        List<float[]> seq = sequence(300 * C + 2, 6);
        CountingPsm<float[], float[], float[][]> aloneModel = new CountingPsm<>(base);
        StreamingScan<float[], float[], float[][]> alone = new StreamingScan<>(aloneModel);
        List<ChunkResult<float[], float[][]>> expected = alone.pushAll(seq);
        ScanStateSerializer<float[], float[]> serializer =
                new ScanStateSerializer<>(ScanValueCodec.floatArray(), ScanValueCodec.floatArray());

        for (int prefill : new int[] {0, 1, 2, 5, 3 * 64, 3 * 64 + 1, 3 * 100 + 2, 3 * 255, 3 * 300 + 2}) {
            CountingPsm<float[], float[], float[][]> model = new CountingPsm<>(base);
            ParallelScan.Result<float[], float[], float[][]> head =
                    ParallelScan.onPool(model, pool).evaluate(seq.subList(0, prefill));
            StreamingScan<float[], float[], float[][]> rest = new StreamingScan<>(model, head.toStreamState());
            List<ChunkResult<float[], float[][]>> tail = rest.pushAll(seq.subList(prefill, seq.size()));
            int firstStreamed = prefill / C;
            assertEquals(expected.size() - firstStreamed, tail.size());
            for (ChunkResult<float[], float[][]> r : tail) {
                ChunkResult<float[], float[][]> want = expected.get((int) r.index());
                assertBitsEqual(want.prefix(), r.prefix(), "prefix " + r.index() + " after prefill " + prefill);
                assertBitsEqual(want.output(), r.output(), "output " + r.index() + " after prefill " + prefill);
            }
            assertArrayEquals(serializer.serialize(alone.state()), serializer.serialize(rest.state()));
            assertEquals(aloneModel.aggregateCalls(), model.aggregateCalls(), "Agg calls, prefill " + prefill);
        }
    }

    /** Records every {@code Agg} call as "left -> right = result" in raw float bits. */
    private static final class RecordingPsm implements PrefixScannableModel<float[], float[], float[][]> {
        private final TanhPsm inner;
        private final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        RecordingPsm(TanhPsm inner) {
            this.inner = inner;
        }

        List<String> sortedCalls() {
            List<String> sorted = new ArrayList<>(calls);
            Collections.sort(sorted);
            return sorted;
        }

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
            float[] result = inner.aggregate(left, right);
            calls.add(Bits.key(left) + " | " + Bits.key(right) + " = " + Bits.key(result));
            return result;
        }

        @Override
        public float[][] infer(float[] prefix, List<float[]> chunk) {
            return inner.infer(prefix, chunk);
        }
    }
}
