package io.scanflow.model.psm;

import static io.scanflow.model.psm.Bits.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The parallel evaluator: edge sizes, thread pools, failures. */
class ParallelScanTest {

    private static List<float[]> sequence(int length, long seed) {
        Random random = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            out.add(TanhPsm.element(random));
        }
        return out;
    }

    @Test
    void testFewerElementsThanOneChunk() {
        TanhPsm model = new TanhPsm(4, 1);
        ParallelScan.Result<float[], float[], float[][]> empty = ParallelScan.sequential(model).evaluate(List.of());
        assertEquals(0, empty.chunks());
        assertSame(model.identity(), empty.finalState());
        assertEquals(null, empty.tailOutput());

        List<float[]> three = sequence(3, 2);
        ParallelScan.Result<float[], float[], float[][]> partial = ParallelScan.sequential(model).evaluate(three);
        assertEquals(1, partial.prefixes().size());
        assertBitsEqual(model.infer(model.identity(), three), partial.tailOutput(), "tail");
        assertEquals(3, partial.toStreamState().pending().size());
    }

    @Test
    void testResultsDoNotDependOnThreadScheduling() throws InterruptedException {
        TanhPsm base = new TanhPsm(3, 7);
        List<float[]> seq = sequence(3 * 777 + 1, 8);
        ParallelScan.Result<float[], float[], float[][]> reference = ParallelScan.sequential(base).evaluate(seq);

        // Random delays reorder which task finishes first.
        PrefixScannableModel<float[], float[], float[][]> jittery = new PrefixScannableModel<>() {
            @Override
            public int chunkSize() {
                return base.chunkSize();
            }

            @Override
            public float[] identity() {
                return base.identity();
            }

            @Override
            public float[] encode(List<float[]> chunk) {
                jitter();
                return base.encode(chunk);
            }

            @Override
            public float[] aggregate(float[] left, float[] right) {
                jitter();
                return base.aggregate(left, right);
            }

            @Override
            public float[][] infer(float[] prefix, List<float[]> chunk) {
                return base.infer(prefix, chunk);
            }

            private void jitter() {
                if (ThreadLocalRandom.current().nextInt(64) == 0) {
                    Thread.yield();
                }
            }
        };
        ForkJoinPool pool = new ForkJoinPool(4);
        ExecutorService fixed = Executors.newFixedThreadPool(3);
        try {
            List<ParallelScan<float[], float[], float[][]>> scans = List.of(
                    ParallelScan.onPool(jittery, pool),
                    new ParallelScan<>(jittery, fixed, 3),
                    new ParallelScan<>(jittery, pool, 64));
            for (ParallelScan<float[], float[], float[][]> scan : scans) {
                for (int run = 0; run < 2; run++) {
                    ParallelScan.Result<float[], float[], float[][]> r = scan.evaluate(seq);
                    for (int i = 0; i <= r.chunks(); i++) {
                        assertBitsEqual(reference.prefixes().get(i), r.prefixes().get(i), "s_" + i);
                    }
                    for (int i = 0; i < r.chunks(); i++) {
                        assertBitsEqual(reference.outputs().get(i), r.outputs().get(i), "y_" + i);
                    }
                }
            }
        } finally {
            pool.shutdown();
            fixed.shutdown();
            assertTrue(fixed.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void testAFailureInAWorkerReachesTheCaller() {
        TanhPsm base = new TanhPsm(1, 9);
        PrefixScannableModel<float[], float[], float[][]> failing = new PrefixScannableModel<>() {
            @Override
            public int chunkSize() {
                return 1;
            }

            @Override
            public float[] identity() {
                return base.identity();
            }

            @Override
            public float[] encode(List<float[]> chunk) {
                return base.encode(chunk);
            }

            @Override
            public float[] aggregate(float[] left, float[] right) {
                throw new IllegalStateException("Agg failed on purpose");
            }

            @Override
            public float[][] infer(float[] prefix, List<float[]> chunk) {
                return base.infer(prefix, chunk);
            }
        };
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ParallelScan.onPool(failing, pool).evaluate(sequence(100, 10)));
            assertEquals("Agg failed on purpose", e.getMessage());
        } finally {
            pool.shutdown();
        }
    }
}
