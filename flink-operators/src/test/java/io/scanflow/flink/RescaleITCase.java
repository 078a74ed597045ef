package io.scanflow.flink;

import static io.scanflow.flink.TestRecords.byKey;
import static io.scanflow.flink.TestRecords.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.operator.Reference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop-with-savepoint and restore at another parallelism, twice (2, then 3, then 1), on RocksDB:
 * keyed model state and running generation sessions move with their key groups, and the committed
 * output equals the engine alone on the same records.
 */
class RescaleITCase {
    static final int RECORDS = 300;
    static final int KEYS = 7;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(3).build());

    @Test
    void savepointsRestoredAtParallelism2Then3Then1GiveTheSameOutputs(@TempDir Path savepoints) throws Exception {
        List<ScanInput> records = TestRecords.first(RECORDS, KEYS);
        List<String> expectedPredictions;
        List<String> expectedTokens;
        try (Reference ref = new Reference()) {
            expectedPredictions = render(ref.classifyPerChunk(records));
        }
        try (Reference ref = new Reference()) {
            expectedTokens = render(ref.generate(records, TestJob.GENERATE));
        }
        String run = "rescale";
        List<Integer> committedAfterPhase = new ArrayList<>();

        JobClient first = start(run, 2, null);
        String savepoint1 = stopAfterProgress(first, run, savepoints);
        committedAfterPhase.add(CommittingCollectSink.committed(run + "/classify").size());

        JobClient second = start(run, 3, savepoint1);
        String savepoint2 = stopAfterProgress(second, run, savepoints);
        committedAfterPhase.add(CommittingCollectSink.committed(run + "/classify").size());

        JobClient third = start(run, 1, savepoint2);
        third.getJobExecutionResult().get();

        List<String> predictions = CommittingCollectSink.committed(run + "/classify");
        List<String> tokens = CommittingCollectSink.committed(run + "/generate");
        System.out.printf("rescale 2 -> 3 -> 1: predictions committed after each phase %s, total %d; tokens %d%n",
                committedAfterPhase, predictions.size(), tokens.size());
        assertTrue(committedAfterPhase.get(0) > 0 && committedAfterPhase.get(1) > committedAfterPhase.get(0)
                && predictions.size() > committedAfterPhase.get(1), "every phase did part of the work");
        assertEquals(expectedPredictions.size(), predictions.size());
        assertEquals(expectedTokens.size(), tokens.size());
        assertEquals(byKey(expectedPredictions), byKey(predictions));
        assertEquals(byKey(expectedTokens), byKey(tokens));
    }

    private static JobClient start(String run, int parallelism, String savepoint) throws Exception {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setMaxParallelism(128);
        env.enableCheckpointing(100);
        TestJob.build(env, run, RECORDS, KEYS, 120, TestJob.FailAt.NONE, 0);
        StreamGraph graph = env.getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return env.executeAsync(graph);
    }

    /** Waits until the job has committed something new, then stops it with a savepoint. */
    private static String stopAfterProgress(JobClient job, String run, Path dir) throws Exception {
        int before = CommittingCollectSink.committed(run + "/classify").size();
        long deadline = System.currentTimeMillis() + 30_000;
        while (CommittingCollectSink.committed(run + "/classify").size() <= before + 10) {
            if (System.currentTimeMillis() > deadline || job.getJobStatus().get().isGloballyTerminalState()) {
                throw new AssertionError("no progress before the savepoint: " + job.getJobStatus().get());
            }
            Thread.sleep(20);
        }
        return job.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL).get();
    }
}
