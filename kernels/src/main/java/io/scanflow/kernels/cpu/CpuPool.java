package io.scanflow.kernels.cpu;

import io.scanflow.model.math.Kernels;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's one set of worker threads per JVM, sized to the cores, and a parallel-for over them
 * that allocates nothing per call. A loop is cut into up to {@link #CHUNKS_PER_THREAD} chunks per thread,
 * which the caller and the workers it wakes claim one at a time from a shared counter: a thread that the
 * operating system takes away for a while (another process, the JIT, GC) then delays the loop by one chunk,
 * not by a whole thread's share, which static equal shares did on a busy machine.
 *
 * <p>A loop started inside another (from a worker, or from a caller that already holds the workers, or
 * while another thread holds them) runs inline on its thread. Results never depend on this: every
 * caller splits work so that each output is computed by the same code whoever runs it.
 */
public final class CpuPool {
    private static final int SIZE = Runtime.getRuntime().availableProcessors();
    /**
     * Spins (about 10-20 us) before an idle worker parks, so back-to-back loops skip the wake-up. Kept
     * short: on a machine with more runnable threads than cores a spinning worker takes the core the
     * caller needs for the serial part between loops.
     */
    private static final int SPINS = 1 << 8;
    /** Chunks per thread a loop is cut into when it has that many grains. */
    static final int CHUNKS_PER_THREAD = 4;
    private static final Worker[] WORKERS = new Worker[SIZE - 1];
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    /** The loop in progress: one at a time, as {@link #BUSY} guards. */
    private static final Chunks CHUNKS = new Chunks();

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker(i + 1);
            WORKERS[i].start();
        }
    }

    private CpuPool() {}

    /** Threads a parallel loop can use, the caller's included. */
    public static int parallelism() {
        return SIZE;
    }

    /** Body of a parallel loop over [from, to); the models' key loops ({@link Kernels.KeyRange}) run here too. */
    public interface RangeBody extends Kernels.KeyRange {
    }

    /**
     * The thread's index among those a loop runs on: 0 for the caller (or any thread outside the pool),
     * 1 .. {@code threads - 1} for the workers a {@link #forRange} of {@code threads} threads wakes. Lets a
     * loop body use per-thread scratch even though which chunks a thread runs changes from call to call.
     */
    public static int threadIndex() {
        Thread t = Thread.currentThread();
        return t instanceof Worker ? ((Worker) t).index : 0;
    }

    /**
     * Runs {@code body} over [0, n) in contiguous chunks of at least {@code grain} and returns when all
     * are done. Small or nested loops run inline on the caller.
     */
    public static void forRange(int n, int grain, Kernels.KeyRange body) {
        forRange(n, grain, body, SIZE);
    }

    /**
     * {@link #forRange(int, int, Kernels.KeyRange)} on at most {@code threads} threads, the caller's
     * included, so that {@link #threadIndex()} stays below {@code threads} inside {@code body}.
     */
    public static void forRange(int n, int grain, Kernels.KeyRange body, int threads) {
        int usable = Math.max(1, Math.min(SIZE, threads));
        int chunks = (int) Math.min((long) usable * CHUNKS_PER_THREAD, Math.max(1, n / (long) Math.max(1, grain)));
        if (chunks <= 1 || Thread.currentThread() instanceof Worker || !BUSY.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        int helpers = Math.min(usable, chunks) - 1;
        try {
            CHUNKS.set(body, n, chunks);
            for (int p = 0; p < helpers; p++) {
                WORKERS[p].post(CHUNKS);
            }
            Throwable failure = null;
            try {
                CHUNKS.run();
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            for (int p = 0; p < helpers; p++) {
                Throwable t = WORKERS[p].await();
                if (failure == null) {
                    failure = t;
                }
            }
            if (failure instanceof RuntimeException) {
                throw (RuntimeException) failure;
            }
            if (failure != null) {
                throw (Error) failure;
            }
        } finally {
            CHUNKS.clear();
            BUSY.set(false);
        }
    }

    /** A loop's chunks, claimed in order by whichever thread is free: chunk c is [n c / chunks, n (c + 1) / chunks). */
    private static final class Chunks implements Runnable {
        private final AtomicInteger next = new AtomicInteger();
        private Kernels.KeyRange body;
        private int n;
        private int count;

        /** Fields first, then the counter reset; workers see them through {@link Worker#post}'s volatile write. */
        void set(Kernels.KeyRange body, int n, int count) {
            this.body = body;
            this.n = n;
            this.count = count;
            next.set(0);
        }

        void clear() {
            body = null;
        }

        @Override
        public void run() {
            for (int c; (c = next.getAndIncrement()) < count; ) {
                body.run((int) ((long) n * c / count), (int) ((long) n * (c + 1) / count));
            }
        }
    }

    private static final class Worker extends Thread {
        private final int index;
        private volatile boolean pending;
        private volatile boolean sleeping;
        private Runnable task;
        private Throwable failure;

        Worker(int index) {
            super("scanflow-cpu-" + index);
            this.index = index;
            setDaemon(true);
        }

        /** Fields first, then the volatile flag that publishes them. */
        void post(Runnable t) {
            task = t;
            failure = null;
            pending = true;
            if (sleeping) {
                LockSupport.unpark(this);
            }
        }

        Throwable await() {
            for (int spin = 0; pending; spin++) {
                if (spin < SPINS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            return failure;
        }

        @Override
        public void run() {
            while (true) {
                for (int spin = 0; !pending; spin++) {
                    if (spin < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        sleeping = true;
                        if (!pending) {
                            LockSupport.park(this);
                        }
                        sleeping = false;
                    }
                }
                try {
                    task.run();
                } catch (Throwable t) {
                    failure = t;
                }
                task = null;
                pending = false;
            }
        }
    }
}
