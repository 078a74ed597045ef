package io.scanflow.kernels.cpu;

import io.scanflow.model.math.Kernels;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's one set of worker threads per JVM, sized to the cores, and a parallel-for over them
 * that allocates nothing per call: each worker has one preallocated slot that the caller fills with a
 * range and flags; the caller runs the first range itself and then waits for the flags to clear.
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
    private static final Worker[] WORKERS = new Worker[SIZE - 1];
    private static final AtomicBoolean BUSY = new AtomicBoolean();

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
     * Runs {@code body} over [0, n) in contiguous pieces of at least {@code grain}, at most one per
     * thread, and returns when all are done. Small or nested loops run inline on the caller.
     */
    public static void forRange(int n, int grain, Kernels.KeyRange body) {
        int pieces = (int) Math.min(SIZE, Math.max(1, n / (long) Math.max(1, grain)));
        if (pieces <= 1 || Thread.currentThread() instanceof Worker || !BUSY.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            for (int p = 1; p < pieces; p++) {
                WORKERS[p - 1].post(body, (int) ((long) n * p / pieces), (int) ((long) n * (p + 1) / pieces));
            }
            Throwable failure = null;
            try {
                body.run(0, (int) ((long) n / pieces));
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            for (int p = 1; p < pieces; p++) {
                Throwable t = WORKERS[p - 1].await();
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
            BUSY.set(false);
        }
    }

    private static final class Worker extends Thread {
        private volatile boolean pending;
        private volatile boolean sleeping;
        private Kernels.KeyRange body;
        private int from;
        private int to;
        private Throwable failure;

        Worker(int index) {
            super("scanflow-cpu-" + index);
            setDaemon(true);
        }

        /** Fields first, then the volatile flag that publishes them. */
        void post(Kernels.KeyRange b, int f, int t) {
            body = b;
            from = f;
            to = t;
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
                    body.run(from, to);
                } catch (Throwable t) {
                    failure = t;
                }
                body = null;
                pending = false;
            }
        }
    }
}
