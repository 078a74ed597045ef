package io.scanflow.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The pool's contract, under many back-to-back loops so that workers that wake late meet the next loop:
 * every index runs exactly once, a body sees a thread index below the loop's thread limit, failures reach
 * the caller. The kernels module's tests run with more processors than CI's cores (see its pom), so
 * several workers race here even on a two-core machine.
 */
class CpuPoolTest {

    @Test
    void everyIndexRunsExactlyOnceAcrossManyLoops() {
        for (int loop = 0; loop < 5_000; loop++) {
            int n = 1 + loop % 97;
            int grain = 1 + loop % 3;
            AtomicIntegerArray runs = new AtomicIntegerArray(n);
            CpuPool.forRange(n, grain, (from, to) -> {
                for (int i = from; i < to; i++) {
                    runs.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, runs.get(i), "loop " + loop + ", index " + i + " of " + n);
            }
        }
    }

    @Test
    void aBodyNeverSeesAThreadIndexAtOrAboveTheLoopsLimit() {
        AtomicInteger violations = new AtomicInteger();
        int narrow = 2;
        for (int loop = 0; loop < 2_000; loop++) {
            // A wide loop of empty chunks wakes every worker and is often over before some arrive; the
            // narrow loop after it has slow chunks, so a late worker finds work left, and must not take it.
            CpuPool.forRange(64, 1, (from, to) -> { });
            CpuPool.forRange(64, 1, (from, to) -> {
                if (CpuPool.threadIndex() >= narrow) {
                    violations.incrementAndGet();
                }
                busyFor(2_000);
            }, narrow);
        }
        assertEquals(0, violations.get());
    }

    private static void busyFor(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aFailingChunkReachesTheCallerAndTheOtherChunksStillRun() {
        AtomicIntegerArray runs = new AtomicIntegerArray(40);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                CpuPool.forRange(40, 1, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        runs.incrementAndGet(i);
                    }
                    if (from == 0) {
                        throw new IllegalStateException("chunk at 0");
                    }
                }));
        assertEquals("chunk at 0", thrown.getMessage());
        for (int i = 0; i < 40; i++) {
            assertEquals(1, runs.get(i), "index " + i);
        }
        // The pool is free again.
        AtomicInteger sum = new AtomicInteger();
        CpuPool.forRange(100, 1, (from, to) -> sum.addAndGet(to - from));
        assertEquals(100, sum.get());
    }

    @Test
    void aLoopInsideALoopRunsInlineOnItsThread() {
        AtomicInteger inner = new AtomicInteger();
        AtomicInteger foreignThreads = new AtomicInteger();
        CpuPool.forRange(16, 1, (from, to) -> {
            Thread outer = Thread.currentThread();
            CpuPool.forRange(100, 1, (f, t) -> {
                inner.addAndGet(t - f);
                if (Thread.currentThread() != outer) {
                    foreignThreads.incrementAndGet();
                }
            });
        });
        assertEquals(16 * 100, inner.get());
        assertEquals(0, foreignThreads.get());
    }

    @Test
    void aBoundPoolRunsTheLoopsOfItsThreadAndCloseEndsItsWorkers() {
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        CpuPool pool = new CpuPool(3);
        CpuPool previous = pool.bind();
        try {
            assertEquals(3, CpuPool.parallelism());
            for (int loop = 0; loop < 200; loop++) {
                CpuPool.forRange(64, 1, (from, to) -> {
                    seen.add(Thread.currentThread());
                    busyFor(20_000);
                });
            }
        } finally {
            CpuPool.restore(previous);
        }
        Set<Thread> workers = new HashSet<>(seen);
        workers.remove(Thread.currentThread());
        // 200 loops of 64 chunks of 20 us: the woken workers take some of them.
        assertFalse(workers.isEmpty(), "no worker of the bound pool ran a chunk");
        assertTrue(workers.size() <= 2, "a pool of 3 threads has 2 workers: " + workers);
        for (Thread w : workers) {
            assertTrue(w.getName().startsWith("scanflow-cpu-"), w.getName());
        }
        pool.close();
        for (Thread w : workers) {
            assertFalse(w.isAlive(), w.getName() + " still runs after close");
        }
        assertThrows(IllegalStateException.class, () -> CpuPool.shared().close());
    }

    @Test
    void aPoolOfOneThreadStartsNoWorker() {
        Set<String> before = scanflowThreads();
        try (CpuPool pool = new CpuPool(1)) {
            assertEquals(1, pool.threads());
            assertEquals(before, scanflowThreads());
        }
    }

    private static Set<String> scanflowThreads() {
        Set<String> names = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("scanflow-cpu-")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    /** Guards the pom's setting that the races above depend on. */
    @Test
    void theseTestsRunOnSeveralWorkers() {
        assertTrue(CpuPool.parallelism() >= 4, "pool of " + CpuPool.parallelism());
    }
}
