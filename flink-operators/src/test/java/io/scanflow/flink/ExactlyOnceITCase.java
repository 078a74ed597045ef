package io.scanflow.flink;

import static io.scanflow.flink.TestRecords.byKey;
import static io.scanflow.flink.TestRecords.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.operator.Reference;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failure injection on a MiniCluster: for each of 20 seeds, one failure at a random record (in the
 * input, or behind either model operator), checkpoints every 50 ms, fixed-delay restarts. The
 * committed output of every run must equal, line for line per key, the run without a failure (which
 * equals the engine alone on the same records): no line lost, none duplicated, sampled generations
 * identical.
 */
class ExactlyOnceITCase {
    static final int SEEDS = 20;
    static final int RECORDS = 240;
    static final int KEYS = 6;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static List<String> expectedPredictions;
    private static List<String> expectedTokens;

    @BeforeAll
    static void reference() {
        List<ScanInput> records = TestRecords.first(RECORDS, KEYS);
        try (Reference ref = new Reference()) {
            expectedPredictions = render(ref.classifyPerChunk(records));
        }
        try (Reference ref = new Reference()) {
            expectedTokens = render(ref.generate(records, TestJob.GENERATE));
        }
    }

    @Test
    void everySeedCommitsExactlyTheOutputOfARunWithoutFailures() throws Exception {
        runJob("exactly-once-clean", TestJob.FailAt.NONE, 0);
        List<String> cleanPredictions = CommittingCollectSink.committed("exactly-once-clean/classify");
        List<String> cleanTokens = CommittingCollectSink.committed("exactly-once-clean/generate");
        assertEquals(byKey(expectedPredictions), byKey(cleanPredictions), "the clean run equals the engine alone");
        assertEquals(byKey(expectedTokens), byKey(cleanTokens), "the clean run equals the engine alone");
        int failures = 0;
        int fromCheckpoint = 0;
        StringBuilder report = new StringBuilder();
        for (int seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            TestJob.FailAt where = TestJob.FailAt.values()[1 + seed % 3];
            // Counted per subtask: the busier of the two subtasks sees over 100 predictions and 600 tokens.
            long index = switch (where) {
                case SOURCE -> 20 + random.nextInt(200);
                case CLASSIFY_OUTPUT -> 10 + random.nextInt(50);
                default -> 20 + random.nextInt(300);
            };
            String run = "exactly-once-" + seed;
            runJob(run, where, index);
            int injected = TestJob.FailOnce.failures(run);
            failures += injected;
            boolean restored = TestJob.FailOnce.restores(run) > 0;
            fromCheckpoint += restored ? 1 : 0;
            report.append(String.format("seed %2d: failure %s at record %d, injected %d, restored from %s%n", seed, where,
                    index, injected, restored ? "a checkpoint" : "the start"));
            assertEquals(1, injected, "seed " + seed + ": the failure must have happened (" + where + " at " + index + ")");
            List<String> predictions = CommittingCollectSink.committed(run + "/classify");
            List<String> tokens = CommittingCollectSink.committed(run + "/generate");
            assertEquals(expectedPredictions.size(), predictions.size(), "seed " + seed + ": predictions lost or duplicated");
            assertEquals(expectedTokens.size(), tokens.size(), "seed " + seed + ": tokens lost or duplicated");
            assertEquals(byKey(cleanPredictions), byKey(predictions), "seed " + seed + ": predictions differ");
            assertEquals(byKey(cleanTokens), byKey(tokens), "seed " + seed + ": generated tokens differ");
        }
        System.out.print(report);
        System.out.printf("failure injection: %d seeds, %d failures injected and recovered (%d from a checkpoint),"
                + " %d predictions and %d generated tokens per run, 0 lost, 0 duplicated%n", SEEDS, failures,
                fromCheckpoint, expectedPredictions.size(), expectedTokens.size());
        assertTrue(fromCheckpoint >= SEEDS / 2, "most failures must come after a checkpoint: " + fromCheckpoint);
    }

    private static void runJob(String run, TestJob.FailAt where, long index) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.setMaxParallelism(128);
        env.enableCheckpointing(50);
        TestJob.build(env, run, RECORDS, KEYS, 500, where, index);
        env.execute(run);
    }
}
