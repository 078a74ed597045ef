package io.scanflow.flink;

import static io.scanflow.flink.TestRecords.byKey;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop-with-savepoint and restore at another parallelism, twice (2, then 3, then 1), on RocksDB:
 * keyed model state and running generation sessions move with their key groups, and the committed
 * output equals the engine alone on the same records. Each phase reads exactly up to a record count
 * the test sets ({@link SourceGate}) and stops once that many predictions are committed, so every
 * phase does its share of the work whatever the machine's speed.
 */
class RescaleITCase {
    static final int RECORDS = 300;
    static final int KEYS = 7;
    static final Duration PATIENCE = Duration.ofSeconds(120);

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(3).build());

    private TestJob.Run run;

    @AfterEach
    void forget() {
        if (run != null) {
            run.forget();
        }
    }

    @Test
    void savepointsRestoredAtParallelism2Then3Then1GiveTheSameOutputs(@TempDir Path savepoints) throws Exception {
        run = TestJob.Run.fresh("rescale", RECORDS, KEYS, TestJob.PACED);
        TestJob.Expected expected = run.expected();
        List<Integer> committedAfterPhase = new ArrayList<>();

        String savepoint1 = stopAt(start(run, 2, null), 100, savepoints);
        committedAfterPhase.add(CommittingCollectSink.count(run.id(), "classify"));
        String savepoint2 = stopAt(start(run, 3, savepoint1), 200, savepoints);
        committedAfterPhase.add(CommittingCollectSink.count(run.id(), "classify"));
        run.gate().openFully();
        start(run, 1, savepoint2).getJobExecutionResult().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        System.out.printf("rescale 2 -> 3 -> 1: predictions committed after each phase %s, total %d; tokens %d%n",
                committedAfterPhase, run.predictions().size(), run.tokens().size());
        assertEquals(List.of(100, 200), committedAfterPhase, "each phase stops where the test stopped it");
        assertEquals(expected.predictions().size(), run.predictions().size());
        assertEquals(expected.tokens().size(), run.tokens().size());
        assertEquals(byKey(expected.predictions()), byKey(run.predictions()));
        assertEquals(byKey(expected.tokens()), byKey(run.tokens()));
    }

    private static JobClient start(TestJob.Run run, int parallelism, String savepoint) throws Exception {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setMaxParallelism(128);
        env.enableCheckpointing(100);
        TestJob.build(env, run);
        StreamGraph graph = env.getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return env.executeAsync(graph);
    }

    /** Lets the job read up to {@code records}, waits until their predictions are committed, then stops it with a savepoint. */
    private String stopAt(JobClient job, int records, Path dir) throws Exception {
        run.gate().openTo(records);
        CommittingCollectSink.awaitCount(run.id(), "classify", records, PATIENCE);
        return job.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }
}
