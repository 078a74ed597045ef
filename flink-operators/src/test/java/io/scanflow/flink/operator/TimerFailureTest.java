package io.scanflow.flink.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.Generate;
import io.scanflow.flink.GeneratedToken;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import io.scanflow.flink.faults.Faults;
import io.scanflow.flink.faults.FaultyEngine;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cause of the tokens once lost in the fault tests, forced: a paced generation round runs in a
 * processing-time timer, and the round fails midway (here the engine advances half of the sessions
 * and throws). Flink does not fail a task where its timer throws; it fails it asynchronously, and
 * until then the task takes records, timers and checkpoint barriers. Without fail-stop the next
 * barrier snapshotted the torn keys (a record taken off its queue with no session started, slots fed
 * with their record still queued), and a checkpoint completed in that window restored them: a
 * session's tokens lost, or a prompt fed twice. The operator must refuse every later call instead.
 */
class TimerFailureTest {
    private final String run = "timer-failure-" + UUID.randomUUID();

    @AfterEach
    void forget() {
        Faults.forget(run);
    }

    @Test
    void aRoundFailingInATimerStopsTheOperatorBeforeItsNextSnapshot() throws Exception {
        Generate paced = Generate.tokens(6).withSampling(1.5f, 20, 0.95f).withSeed(7).atTokensPerSecond(100);
        ScanOptions options = ScanOptions.defaults().withBundleSize(1).withBundleTimeout(Duration.ofDays(1));
        var h = Harnesses.<GeneratedToken>create(Harnesses.spec().withEngineWrapper(FaultyEngine.wrapper(run)),
                paced, options, 1, 0);
        try {
            h.setProcessingTime(0);
            h.open();
            for (String key : new String[] {"a", "b", "c", "d"}) {
                h.processElement(ScanInput.tokens(key, 3, 1, 4), 0);
            }
            h.processElement(ScanInput.tokens("a", 5, 9), 0); // queued behind a's session
            assertEquals(4, Harnesses.values(h).size(), "each session's first token, sampled at its prompt");

            Faults.of(run).arm(Faults.Site.ENGINE, 1);
            // The round due at 10 ms: the engine advances two of the four sessions, then throws.
            Exception round = assertThrows(Exception.class, () -> {
                h.setProcessingTime(10);
                Harnesses.drainMailbox(h);
            });
            assertTrue(String.valueOf(round.getMessage()).contains("injected failure at ENGINE")
                    || String.valueOf(round.getCause()).contains("injected failure at ENGINE"), round.toString());
            assertEquals(1, Faults.of(run).injected(Faults.Site.ENGINE));

            // What the task would still run before Flink cancels it: nothing of it may go through.
            IllegalStateException barrier = assertThrows(IllegalStateException.class, () -> h.prepareSnapshotPreBarrier(1));
            assertTrue(barrier.getMessage().contains("stopped after a failure in a timer"), barrier.getMessage());
            Exception snapshot = assertThrows(Exception.class, () -> h.snapshot(1, 10));
            assertTrue(snapshot.getCause().getMessage().contains("stopped after a failure in a timer"), snapshot.toString());
            assertThrows(IllegalStateException.class, () -> h.processElement(ScanInput.tokens("e", 2), 11));
            assertEquals(4, Harnesses.values(h).size(), "no output after the failure");
            // Nor may end of input finish the torn rounds.
            assertThrows(IllegalStateException.class, h::close);
        } finally {
            h.getOperator().close();
        }
    }
}
