package io.scanflow.jobs.stream;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;

/**
 * Paces a source in blocks: the first {@code leadBlocks} blocks of {@code blockSize} records at once, then
 * one block per {@code period}. A generation job's records come in blocks of one record per session
 * (the prompts, then one demand record each per round), so a block per period is one round of every
 * session, sent as a burst that the generate operator bundles into one engine call; a smooth rate would
 * spread a round over the period and split it into many small calls. The lead lets demand arrive before
 * the operator's own pacing makes its round due.
 *
 * <p>For a source of parallelism 1 (a session's records must stay in order). The clock starts at the
 * first record; after a restore it starts again at the first record the restored source sends.
 */
public final class BlockPacing<S extends SourceSplit> implements RateLimiterStrategy<S> {
    private static final long serialVersionUID = 1L;

    private final long blockSize;
    private final long periodNanos;
    private final int leadBlocks;

    /**
     * A generation source's pacing: blocks of one record per session, a round of demand per
     * {@code roundSeconds}; the prompts and the first two rounds' demand go at once, so each round's demand
     * is there a round before the operator's own pace makes the round due.
     */
    public static <S extends SourceSplit> BlockPacing<S> sessionRounds(long sessions, double roundSeconds) {
        return new BlockPacing<>(sessions, roundSeconds, 3);
    }

    public BlockPacing(long blockSize, double periodSeconds, int leadBlocks) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("block size must be positive, found " + blockSize);
        }
        if (!(periodSeconds > 0) || Double.isInfinite(periodSeconds)) {
            throw new IllegalArgumentException("period must be positive, found " + periodSeconds + " s");
        }
        if (leadBlocks < 1) {
            throw new IllegalArgumentException("lead must be at least one block, found " + leadBlocks);
        }
        this.blockSize = blockSize;
        this.periodNanos = Math.max(1, Math.round(periodSeconds * 1e9));
        this.leadBlocks = leadBlocks;
    }

    @Override
    public RateLimiter<S> createRateLimiter(int parallelism) {
        if (parallelism != 1) {
            throw new IllegalArgumentException("block pacing is for a source of parallelism 1, found " + parallelism);
        }
        return new Limiter<>(this);
    }

    /** Nanoseconds after the first record at which record {@code index} may go. */
    long dueNanos(long index) {
        return Math.max(0, index / blockSize - leadBlocks + 1) * periodNanos;
    }

    private static final class Limiter<S extends SourceSplit> implements RateLimiter<S> {
        private final BlockPacing<S> pacing;
        private long sent;
        private long startNanos;

        Limiter(BlockPacing<S> pacing) {
            this.pacing = pacing;
        }

        @Override
        public CompletionStage<Void> acquire(int records) {
            long now = System.nanoTime();
            if (sent == 0) {
                startNanos = now;
            }
            long wait = startNanos + pacing.dueNanos(sent) - now;
            sent += records;
            if (wait <= 0) {
                return CompletableFuture.completedFuture(null);
            }
            return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS));
        }
    }
}
