package io.scanflow.jobs.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.junit.jupiter.api.Test;

class BlockPacingTest {
    @Test
    void theLeadBlocksGoAtOnceThenABlockPerPeriod() {
        BlockPacing<SourceSplit> pacing = new BlockPacing<>(4, 0.05, 3);
        for (long i = 0; i < 12; i++) {
            assertEquals(0, pacing.dueNanos(i), "record " + i);
        }
        assertEquals(50_000_000L, pacing.dueNanos(12));
        assertEquals(50_000_000L, pacing.dueNanos(15));
        assertEquals(100_000_000L, pacing.dueNanos(16));
        assertEquals(BlockPacing.sessionRounds(4, 0.05).dueNanos(15), pacing.dueNanos(15));
    }

    /** A period of an hour: the record after the lead cannot be due while the test looks. */
    @Test
    void theLimiterHoldsTheFirstRecordPastTheLead() {
        RateLimiter<SourceSplit> limiter = new BlockPacing<>(2, 3600, 1).createRateLimiter(1);
        assertTrue(limiter.acquire().toCompletableFuture().isDone());
        assertTrue(limiter.acquire().toCompletableFuture().isDone());
        assertFalse(limiter.acquire().toCompletableFuture().isDone(), "the second block waits an hour");
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BlockPacing<>(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BlockPacing<>(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new BlockPacing<>(1, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> new BlockPacing<>(1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new BlockPacing<>(1, 1, 1).createRateLimiter(2));
    }
}
