package io.scanflow.kernels.cpu;

import io.scanflow.model.math.Kernels;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Worker threads of the CPU backend and a parallel-for over them that allocates nothing per call. A loop
 * is cut into up to {@link #CHUNKS_PER_THREAD} chunks per thread, which the caller and the workers it
 * wakes claim one at a time from a shared counter: a thread that the operating system takes away for a
 * while (another process, the JIT, GC) then delays the loop by one chunk, not by a whole thread's share,
 * which static equal shares did on a busy machine.
 *
 * <p>A pool has an owner: an engine made with {@link CpuEngine#withOwnPool} starts its pool and stops its
 * workers when it closes, so a Flink job leaves no thread (and no class loader) behind and uses the threads
 * its slot's share allows. Code that runs outside any engine (the command line, benchmarks) uses
 * {@link #shared()}, one pool per class loader sized to the cores, started on first use. The kernels find
 * the pool through the calling thread: {@link #bind()} makes a pool the thread's pool for an engine call,
 * {@link #forRange} then runs on it.
 *
 * <p>A loop ends when its last chunk is done, not when every woken worker has checked in: a worker that
 * wakes late finds no chunk left and goes back to waiting. Waiting for each worker would make every loop
 * as slow as the slowest wake-up, and waking a parked thread is slow, on virtual machines most of all.
 * For the same reason an idle worker spins, then yields its core for
 * {@link #YIELD_NANOS}, and parks only after that: the gaps between a step's loops are shorter.
 *
 * <p>A loop started inside another (from a worker, or from a caller that already holds the workers, or
 * while another thread holds them) runs inline on its thread. Results never depend on this: every
 * caller splits work so that each output is computed by the same code whoever runs it.
 */
public final class CpuPool implements AutoCloseable {
    /** Busy-wait rounds (each a spin hint) before an idle thread starts yielding its core. */
    private static final int SPINS = 1 << 8;
    /**
     * How long an idle worker keeps yielding before it parks: longer than the gaps between the loops of
     * one step, short enough that an idle pool stops taking turns on the cores within a millisecond. While
     * it yields, a runnable thread that wants the core (the caller's serial part, another Flink task) gets it.
     */
    private static final long YIELD_NANOS = 1_000_000;
    /** Chunks per thread a loop is cut into when it has that many grains. */
    static final int CHUNKS_PER_THREAD = 4;
    /** The pool of the engine call running on this thread; null outside one. */
    private static final ThreadLocal<CpuPool> BOUND = new ThreadLocal<>();
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int size;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    /** The loop in progress: one at a time, as {@link #busy} guards. */
    private final Loop loop = new Loop();
    /** {@link #shared()}, which is never closed. */
    private final boolean shared;
    private volatile boolean closed;

    /**
     * Starts {@code threads - 1} workers (the caller is the pool's first thread), daemons named
     * {@code scanflow-cpu-<pool>-<index>}.
     */
    public CpuPool(int threads) {
        this(threads, false);
    }

    private CpuPool(int threads, boolean shared) {
        if (threads < 1) {
            throw new IllegalArgumentException("a pool needs at least one thread, found " + threads);
        }
        this.size = threads;
        this.shared = shared;
        this.workers = new Worker[threads - 1];
        int id = POOLS.incrementAndGet();
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(this, id, i + 1);
            workers[i].start();
        }
    }

    /** The class loader's default pool, sized to the cores and never closed, for code outside an engine. */
    public static CpuPool shared() {
        return Shared.POOL;
    }

    /** Created on first use, so a JVM whose engines all own pools never starts it. */
    private static final class Shared {
        static final CpuPool POOL = new CpuPool(Runtime.getRuntime().availableProcessors(), true);
    }

    /** Threads a loop on this pool can use, the caller's included. */
    public int threads() {
        return size;
    }

    /**
     * Makes this the calling thread's pool until {@link #restore} and returns the one it replaces (null
     * for none). Allocates nothing after the thread's first call.
     */
    public CpuPool bind() {
        CpuPool previous = BOUND.get();
        BOUND.set(this);
        return previous;
    }

    /** Gives the thread back the pool {@link #bind()} returned. */
    public static void restore(CpuPool previous) {
        BOUND.set(previous);
    }

    /** The pool a loop on this thread runs on: a worker's own, the bound one, or {@link #shared()}. */
    private static CpuPool current() {
        Thread t = Thread.currentThread();
        if (t instanceof Worker) {
            return ((Worker) t).pool;
        }
        CpuPool bound = BOUND.get();
        return bound != null ? bound : shared();
    }

    /** Threads a parallel loop started on this thread can use, the caller's included. */
    public static int parallelism() {
        return current().size;
    }

    /** Body of a parallel loop over [from, to); the models' key loops ({@link Kernels.KeyRange}) run here too. */
    public interface RangeBody extends Kernels.KeyRange {
    }

    /**
     * The thread's index among those a loop runs on: 0 for the caller (or any thread outside the pool),
     * 1 .. {@code threads - 1} for the workers that a {@link #forRange} of {@code threads} threads lets
     * in. Lets a loop body use per-thread scratch even though which chunks a thread runs changes from
     * call to call.
     */
    public static int threadIndex() {
        Thread t = Thread.currentThread();
        return t instanceof Worker ? ((Worker) t).index : 0;
    }

    /**
     * Runs {@code body} over [0, n) in contiguous chunks of at least {@code grain} on the thread's pool
     * and returns when all are done. Small or nested loops run inline on the caller.
     */
    public static void forRange(int n, int grain, Kernels.KeyRange body) {
        CpuPool pool = current();
        pool.run(n, grain, body, pool.size);
    }

    /**
     * {@link #forRange(int, int, Kernels.KeyRange)} on at most {@code threads} threads, the caller's
     * included, so that {@link #threadIndex()} stays below {@code threads} inside {@code body}.
     */
    public static void forRange(int n, int grain, Kernels.KeyRange body, int threads) {
        current().run(n, grain, body, threads);
    }

    private void run(int n, int grain, Kernels.KeyRange body, int threads) {
        int usable = Math.max(1, Math.min(size, threads));
        int chunks = (int) Math.min((long) usable * CHUNKS_PER_THREAD, Math.max(1, n / (long) Math.max(1, grain)));
        if (chunks <= 1 || Thread.currentThread() instanceof Worker || !busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            if (closed) {
                throw new IllegalStateException("the CPU pool is closed");
            }
            loop.start(body, n, chunks, usable);
            int helpers = Math.min(usable, chunks) - 1;
            for (int p = 0; p < helpers; p++) {
                workers[p].wake();
            }
            loop.help(0);
            Throwable failure = loop.awaitChunks(chunks);
            if (failure instanceof RuntimeException) {
                throw (RuntimeException) failure;
            }
            if (failure != null) {
                throw (Error) failure;
            }
        } finally {
            loop.clear();
            busy.set(false);
        }
    }

    /**
     * Stops the workers and waits until they have ended. Called by the pool's owner when no loop runs;
     * later loops fail. Closing {@link #shared()} is refused.
     */
    @Override
    public void close() {
        if (shared) {
            throw new IllegalStateException("the shared CPU pool is never closed");
        }
        closed = true;
        for (Worker w : workers) {
            w.wake();
        }
        boolean interrupted = false;
        for (Worker w : workers) {
            while (w.isAlive()) {
                try {
                    w.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The loop in progress. Chunk c is [n c / chunks, n (c + 1) / chunks). A thread checks and claims a
     * chunk against one word, {@link #claims}: the loop's generation (high 32 bits), its chunk count (next
     * 16) and the next unclaimed chunk (low 16). A worker still holding the word of a loop that has ended
     * can therefore never take a chunk of the next one: either its word says no chunk is left, or its
     * compare-and-set fails. (Checking against a {@code chunks} field instead let such a worker take a
     * chunk of the next loop while {@link #start} was writing it, and that chunk then ran twice.)
     */
    private static final class Loop {
        private static final int CHUNK_BITS = 16;
        private static final long CHUNK_MASK = (1L << CHUNK_BITS) - 1;
        private final AtomicLong claims = new AtomicLong();
        private final AtomicInteger chunksDone = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private Kernels.KeyRange body;
        private int n;
        private int threads;

        /** Fields first, then the new claim word, whose volatile write publishes them. */
        void start(Kernels.KeyRange body, int n, int chunks, int threads) {
            if (chunks > CHUNK_MASK) {
                throw new IllegalArgumentException("too many chunks: " + chunks);
            }
            this.body = body;
            this.n = n;
            this.threads = threads;
            chunksDone.set(0);
            failure.set(null);
            long generation = (claims.get() >>> 32) + 1;
            claims.set(generation << 32 | (long) chunks << CHUNK_BITS);
        }

        /**
         * Claims and runs chunks until none is left. After a successful compare-and-set the loop cannot
         * end before this chunk is counted, so the fields read then are this loop's.
         */
        void help(int threadIndex) {
            while (true) {
                long claim = claims.get();
                int chunk = (int) (claim & CHUNK_MASK);
                int count = (int) ((claim >>> CHUNK_BITS) & CHUNK_MASK);
                if (chunk >= count || threadIndex >= threads) {
                    return;
                }
                if (!claims.compareAndSet(claim, claim + 1)) {
                    continue;
                }
                try {
                    body.run((int) ((long) n * chunk / count), (int) ((long) n * (chunk + 1) / count));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    chunksDone.incrementAndGet();
                }
            }
        }

        /** Waits until all {@code chunks} are done (they are all claimed by now) and returns the first failure. */
        Throwable awaitChunks(int chunks) {
            for (int spin = 0; chunksDone.get() < chunks; spin++) {
                if (spin < SPINS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            return failure.get();
        }

        void clear() {
            body = null;
        }
    }

    private static final class Worker extends Thread {
        private final CpuPool pool;
        private final int index;
        private volatile boolean pending;
        private volatile boolean sleeping;

        Worker(CpuPool pool, int poolId, int index) {
            super("scanflow-cpu-" + poolId + "-" + index);
            this.pool = pool;
            this.index = index;
            setDaemon(true);
            // The creating thread's class loader (a Flink job's) would stay reachable from this thread.
            setContextClassLoader(null);
        }

        /** The flag first, then the check that pairs with the worker's (both volatile: no lost wake-up). */
        void wake() {
            pending = true;
            if (sleeping) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            while (true) {
                awaitWake();
                pending = false;
                if (pool.closed) {
                    return;
                }
                pool.loop.help(index);
            }
        }

        /** Spins, then yields its core for up to {@link #YIELD_NANOS}, then parks, until woken. */
        private void awaitWake() {
            for (int spin = 0; spin < SPINS && !pending; spin++) {
                Thread.onSpinWait();
            }
            long yieldUntil = System.nanoTime() + YIELD_NANOS;
            while (!pending && System.nanoTime() - yieldUntil < 0) {
                Thread.yield();
            }
            while (!pending) {
                sleeping = true;
                if (!pending) {
                    LockSupport.park(this);
                }
                sleeping = false;
            }
        }
    }
}
