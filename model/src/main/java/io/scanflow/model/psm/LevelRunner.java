package io.scanflow.model.psm;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.IntConsumer;

/**
 * Runs one tree level, {@code body(i)} for {@code i in [0, count)}, split into contiguous blocks
 * on an executor, and waits for all of them (a barrier between levels). Each index is written by
 * exactly one block and every block reads only the finished level below, so results do not
 * depend on scheduling; joining the futures orders those writes before the next level's reads.
 */
final class LevelRunner {

    /** Blocks per thread, so that uneven blocks still keep every thread busy. */
    private static final int BLOCKS_PER_THREAD = 4;

    private final Executor executor;
    private final int parallelism;
    private final int minBlock;

    /**
     * @param executor    where blocks run; the calling thread runs one block itself
     * @param parallelism threads the executor can run at once (1: everything runs inline)
     * @param minBlock    fewest indices worth a separate task (1 for expensive bodies)
     */
    LevelRunner(Executor executor, int parallelism, int minBlock) {
        if (parallelism < 1 || minBlock < 1) {
            throw new IllegalArgumentException("parallelism and minBlock must be >= 1, got "
                    + parallelism + " and " + minBlock);
        }
        this.executor = executor;
        this.parallelism = parallelism;
        this.minBlock = minBlock;
    }

    void run(int count, IntConsumer body) {
        int blocks = (int) Math.min((long) parallelism * BLOCKS_PER_THREAD,
                ((long) count + minBlock - 1) / minBlock);
        if (blocks <= 1) {
            for (int i = 0; i < count; i++) {
                body.accept(i);
            }
            return;
        }
        CompletableFuture<?>[] others = new CompletableFuture<?>[blocks - 1];
        for (int t = 0; t < blocks - 1; t++) {
            int from = (int) ((long) count * t / blocks);
            int to = (int) ((long) count * (t + 1) / blocks);
            others[t] = CompletableFuture.runAsync(() -> {
                for (int i = from; i < to; i++) {
                    body.accept(i);
                }
            }, executor);
        }
        int from = (int) ((long) count * (blocks - 1) / blocks);
        RuntimeException failure = null;
        try {
            for (int i = from; i < count; i++) {
                body.accept(i);
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            CompletableFuture.allOf(others).join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            if (failure != null) {
                failure.addSuppressed(cause);
            } else {
                failure = cause instanceof RuntimeException ? (RuntimeException) cause : e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
