package io.scanflow.kernels.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/**
 * The CPU backend's one thread pool per JVM, sized to the cores. Engines split bundles across it and
 * kernels split large loops across it; fork/join lets a split inside a split run without deadlock or
 * oversubscription, which two separate pools would not.
 */
public final class CpuPool {
    private static final ForkJoinPool SHARED = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("scanflow-cpu-" + t.getPoolIndex());
        t.setDaemon(true);
        return t;
    }, null, false);

    private CpuPool() {}

    public static ForkJoinPool shared() {
        return SHARED;
    }

    /** Body of a parallel loop over [from, to). */
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, n) in pieces of at least {@code grain}, on the shared pool. Small loops
     * run inline on the caller and allocate nothing.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= grain || SHARED.getParallelism() == 1) {
            body.run(0, n);
            return;
        }
        RangeTask task = new RangeTask(body, 0, n, Math.max(1, grain));
        if (onSharedPool()) {
            task.invoke();
        } else {
            SHARED.invoke(task);
        }
    }

    private static boolean onSharedPool() {
        Thread t = Thread.currentThread();
        return t instanceof ForkJoinWorkerThread && ((ForkJoinWorkerThread) t).getPool() == SHARED;
    }

    private static final class RangeTask extends RecursiveAction {
        private final RangeBody body;
        private final int from;
        private final int to;
        private final int grain;

        RangeTask(RangeBody body, int from, int to, int grain) {
            this.body = body;
            this.from = from;
            this.to = to;
            this.grain = grain;
        }

        @Override
        protected void compute() {
            if (to - from <= grain) {
                body.run(from, to);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new RangeTask(body, from, mid, grain), new RangeTask(body, mid, to, grain));
        }
    }
}
