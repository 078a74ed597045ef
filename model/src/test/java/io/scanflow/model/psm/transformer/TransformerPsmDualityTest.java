package io.scanflow.model.psm.transformer;

import io.scanflow.model.psm.Bits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.psm.ChunkResult;
import io.scanflow.model.psm.CountingPsm;
import io.scanflow.model.psm.ParallelScan;
import io.scanflow.model.psm.ScanStateSerializer;
import io.scanflow.model.psm.ScanTree;
import io.scanflow.model.psm.ScanValueCodec;
import io.scanflow.model.psm.StreamingScan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sequential-parallel duality for the Transformer-PSM, whose {@code Agg} (a transformer block over
 * {@code [left; right]}) is neither associative nor commutative: the streaming and the parallel
 * evaluator give bit-identical prefix states, outputs, tail outputs and stream states for every chunk
 * count from 1 to 1024. A tiny random-weight model (d 8, c 2) keeps the sweep fast.
 */
class TransformerPsmDualityTest {

    private static final int C = 2;
    private static final int MAX_N = 1024;

    private static ForkJoinPool pool;

    @BeforeAll
    static void startPool() {
        pool = new ForkJoinPool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdown();
    }

    private static TransformerPsm model() {
        return TinyTransformerPsm.random(TinyTransformerPsm.config(C, 12), 7);
    }

    static List<Integer> tokens(int length, int vocab, long seed) {
        Random random = new Random(seed);
        List<Integer> out = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            out.add(random.nextInt(vocab));
        }
        return out;
    }

    private static float[] state(TransformerPsm m, long seed) {
        return m.encode(tokens(C, m.config().vocabSize(), seed));
    }

    @Test
    void testAggregationIsNotAssociativeNorCommutativeAndIdentityIsNotNeutral() {
        TransformerPsm m = model();
        float[] a = state(m, 1);
        float[] b = state(m, 2);
        float[] c = state(m, 3);
        float[] leftFirst = m.aggregate(m.aggregate(a, b), c);
        float[] rightFirst = m.aggregate(a, m.aggregate(b, c));
        double gap = 0;
        for (int i = 0; i < leftFirst.length; i++) {
            gap = Math.max(gap, Math.abs(leftFirst[i] - rightFirst[i]));
        }
        assertTrue(gap > 1e-2, "associativity gap " + gap + " should be far above rounding");
        assertFalse(Bits.equal(m.aggregate(a, b), m.aggregate(b, a)), "Agg is not commutative");
        assertFalse(Bits.equal(m.aggregate(m.identity(), a), a), "e is not a left identity");
        assertFalse(Bits.equal(m.aggregate(a, m.identity()), a), "e is not a right identity");
    }

    @Test
    void testInfOnAPartialChunkGivesTheFirstRowsOfTheFullChunkBitForBit() {
        TransformerPsm m = TinyTransformerPsm.random(TinyTransformerPsm.config(5, 12), 11);
        List<Integer> chunk = tokens(5, 5, 4);
        float[] prefix = m.aggregate(m.identity(), m.encode(chunk));
        float[][] full = m.infer(prefix, chunk);
        for (int len = 1; len <= 5; len++) {
            float[][] partial = m.infer(prefix, chunk.subList(0, len));
            assertEquals(len, partial.length);
            for (int j = 0; j < len; j++) {
                Bits.assertBitsEqual(full[j], partial[j], "row " + j + " of a partial chunk of " + len);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> m.infer(prefix, List.of()));
        assertThrows(IllegalArgumentException.class, () -> m.encode(chunk.subList(0, 4)));
        assertThrows(IllegalArgumentException.class, () -> m.encode(List.of(0, 1, 2, 3, 5)), "token outside V");
    }

    @Test
    void testStreamingAndParallelAreBitIdenticalForEveryChunkCountUpTo1024() throws IOException {
        TransformerPsm base = model();
        Random random = new Random(5);
        int[] tails = new int[MAX_N + 1];
        for (int n = 1; n <= MAX_N; n++) {
            tails[n] = random.nextInt(C);
        }
        List<Integer> master = tokens(MAX_N * C + C, base.config().vocabSize(), 6);
        ScanStateSerializer<Integer, float[]> serializer =
                new ScanStateSerializer<>(ScanValueCodec.floatArray(), TransformerPsm.tokenCodec());

        // One stream over the whole master sequence, checkpointed to bytes and restored now and then.
        // At n chunks plus tails[n] elements it records the tail's outputs and the stream state bytes,
        // which is what a stream of exactly that sequence would have (a stream never looks ahead).
        CountingPsm<Integer, float[], float[][]> streamModel = new CountingPsm<>(base);
        StreamingScan<Integer, float[], float[][]> stream = new StreamingScan<>(streamModel);
        List<ChunkResult<float[], float[][]>> results = new ArrayList<>();
        float[][] finalStates = new float[MAX_N + 1][];
        float[][][] tailOutputs = new float[MAX_N + 1][][];
        byte[][] stateBytes = new byte[MAX_N + 1][];
        int restores = 0;
        for (int i = 0; i < master.size() - 1; i++) {
            if (random.nextInt(40) == 0) {
                stream = new StreamingScan<>(streamModel, serializer.deserialize(serializer.serialize(stream.state())));
                restores++;
            }
            stream.push(master.get(i)).ifPresent(results::add);
            long pos = i + 1;
            int n = (int) (pos / C);
            if (n >= 1 && pos == (long) n * C + tails[n]) {
                finalStates[n] = stream.prefix();
                Optional<float[][]> flushed = stream.flush();
                tailOutputs[n] = flushed.orElse(null);
                assertEquals(tails[n] == 0, flushed.isEmpty());
                stateBytes[n] = serializer.serialize(stream.state());
            }
        }
        assertEquals(MAX_N, results.size());
        assertTrue(restores > 20, "restores " + restores);
        assertEquals(ScanTree.aggregateCalls(MAX_N), streamModel.aggregateCalls());

        for (int n = 1; n <= MAX_N; n++) {
            List<Integer> seq = master.subList(0, n * C + tails[n]);
            CountingPsm<Integer, float[], float[][]> parallelModel = new CountingPsm<>(base);
            ParallelScan.Result<Integer, float[], float[][]> parallel =
                    ParallelScan.onPool(parallelModel, pool).evaluate(seq);
            assertEquals(n, parallel.chunks());
            assertEquals(ScanTree.aggregateCalls(n), parallelModel.aggregateCalls(), "parallel Agg calls, n=" + n);
            for (int i = 0; i < n; i++) {
                ChunkResult<float[], float[][]> r = results.get(i);
                Bits.assertBitsEqual(parallel.prefixes().get(i), r.prefix(), "prefix s_" + i + ", n=" + n);
                Bits.assertBitsEqual(parallel.outputs().get(i), r.output(), "output y_" + i + ", n=" + n);
            }
            Bits.assertBitsEqual(parallel.finalState(), finalStates[n], "final state s_n, n=" + n);
            if (tails[n] == 0) {
                assertNull(parallel.tailOutput());
            } else {
                Bits.assertBitsEqual(parallel.tailOutput(), tailOutputs[n], "tail output, n=" + n);
            }
            assertArrayEquals(stateBytes[n], serializer.serialize(parallel.toStreamState()), "stream state, n=" + n);
        }
    }
}
