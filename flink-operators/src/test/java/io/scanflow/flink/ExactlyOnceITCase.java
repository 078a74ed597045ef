package io.scanflow.flink;

import static io.scanflow.flink.TestRecords.byKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.faults.Faults;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One failure at every fault site, each after a completed checkpoint that holds part of the work, on
 * a MiniCluster: in the source, the engine (midway through a bundle), a slot allocation that runs out
 * of device memory, behind each operator, in the sink's write and commit, in a snapshot, and between a
 * checkpoint's completion and its notification. Progress is driven, not timed: the source reads only
 * as far as the test lets it ({@link SourceGate}), the failure is armed once the first records'
 * predictions are committed, and then the source reads on. The committed output must equal, line for
 * line per key, the engine alone on the same records: nothing lost, nothing duplicated, sampled
 * generations identical.
 */
class ExactlyOnceITCase {
    static final int RECORDS = 160;
    static final int KEYS = 6;
    static final Duration PATIENCE = Duration.ofSeconds(120);

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static TestJob.Expected paced;
    private static TestJob.Expected unpaced;
    private TestJob.Run run;

    @BeforeAll
    static void reference() {
        paced = TestJob.Run.fresh("reference", RECORDS, KEYS, TestJob.PACED).expected();
        unpaced = TestJob.Run.fresh("reference", RECORDS, KEYS, TestJob.GENERATE).expected();
    }

    @AfterEach
    void forget() {
        if (run != null) {
            run.forget();
        }
    }

    @ParameterizedTest
    @EnumSource(Faults.Site.class)
    void aFailureAfterACheckpointLosesAndDuplicatesNothing(Faults.Site site) throws Exception {
        Random random = new Random(site.ordinal());
        boolean pacedRun = site.ordinal() % 2 == 0;
        run = TestJob.Run.fresh("exactly-once-" + site, RECORDS, KEYS, pacedRun ? TestJob.PACED : TestJob.GENERATE);
        TestJob.Expected expected = pacedRun ? paced : unpaced;
        JobClient job = start(run);

        int before = 40 + random.nextInt(60);
        long events = site == Faults.Site.ENGINE_OUT_OF_MEMORY ? 1 : 1 + random.nextInt(3);
        run.gate().openTo(before);
        CommittingCollectSink.awaitCount(run.id(), "classify", before, PATIENCE);
        run.faults().arm(site, events);
        if (site == Faults.Site.FINAL_CHECKPOINT_NOTIFICATION) {
            run.gate().openFully();
        } else {
            // Enough records for the failure to happen before the end of input; then the rest.
            run.gate().openTo(before + 30);
            SourceGate.await(site + " to fail", PATIENCE, () -> run.faults().injected(site) > 0);
            run.gate().openFully();
        }
        job.getJobExecutionResult().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        System.out.printf("%s: failure at event %d after %d records committed; injected %d, fault points restored %d;"
                        + " %d predictions, %d tokens committed%n", site, events, before, run.faults().injected(),
                run.faults().restores(), run.predictions().size(), run.tokens().size());
        assertEquals(1, run.faults().injected(site), site + ": the failure must have happened");
        assertTrue(run.faults().restores() > 0, site + ": the job must have come back from the checkpoint");
        assertEquals(expected.predictions().size(), run.predictions().size(), site + ": predictions lost or duplicated");
        assertEquals(expected.tokens().size(), run.tokens().size(), site + ": tokens lost or duplicated");
        assertEquals(byKey(expected.predictions()), byKey(run.predictions()), site + ": predictions differ");
        assertEquals(byKey(expected.tokens()), byKey(run.tokens()), site + ": generated tokens differ");
    }

    static JobClient start(TestJob.Run run) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
        // A declined snapshot fails the job over rather than being skipped.
        conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.setMaxParallelism(128);
        env.enableCheckpointing(50);
        TestJob.build(env, run);
        return env.executeAsync(run.id());
    }
}
