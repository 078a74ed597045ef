package io.scanflow.flink.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.Classify;
import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.Prediction;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.TestRecords;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.testing.Fixture;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fifty jobs, one after another, on one MiniCluster, each with ScanFlow in its job jar (so each loads
 * ScanFlow's classes in its own user-code class loader, as on a session cluster) and two CPU engine threads
 * per subtask. Each job must leave no ScanFlow thread behind, and after the last one the JVM must hold no
 * more threads and no more classes in user-code class loaders than after the tenth: each job's pool
 * stops with its operators, and nothing keeps a job's class loader.
 */
class JobLifecycleITCase {
    private static final int JOBS = 50;
    private static final int WARM_UP_JOBS = 10;
    private static final int RECORDS = 12;
    private static final int KEYS = 3;
    /** Threads Flink itself may have started or ended between two measurements. */
    private static final int FLINK_THREAD_NOISE = 3;
    /** Most user-code class loaders (JobMaster's and TaskManager's, two per job) of recent jobs still alive. */
    private static final int RECENT_LOADERS = 20;

    private static MiniCluster cluster;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(2).build());
        cluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @Test
    void fiftyJobsLeaveNoThreadsAndNoClassLoadersBehind() throws Exception {
        Path jar = JobJars.scanflowJar(tmp.resolve("scanflow-job.jar"), ScanOperators.class, CpuEngine.class,
                SequenceModel.class);
        Path model = Fixture.root().resolve("models").resolve("mamba1-tied");
        // Other tests in this JVM may have started the class path's shared pool; the jobs' own pools are new.
        List<String> before = scanflowThreads();
        int threadsAfterWarmUp = 0;
        UserCodeClasses.Count afterWarmUp = null;
        for (int job = 1; job <= JOBS; job++) {
            assertEquals(RECORDS, runJob(jar, model), "predictions of job " + job);
            assertEquals(before, scanflowThreads(), "ScanFlow threads after job " + job);
            if (job == WARM_UP_JOBS) {
                threadsAfterWarmUp = liveThreads();
                afterWarmUp = UserCodeClasses.afterGc();
            }
        }
        int threadsAtEnd = liveThreads();
        UserCodeClasses.Count atEnd = UserCodeClasses.afterGc();
        System.out.printf("after job %d: %d threads, %s; after job %d: %d threads, %s%n",
                WARM_UP_JOBS, threadsAfterWarmUp, afterWarmUp, JOBS, threadsAtEnd, atEnd);
        // Flink's own threads come and go by one or two; a pool left per job would add 40 or more.
        assertTrue(threadsAtEnd <= threadsAfterWarmUp + FLINK_THREAD_NOISE,
                "threads grew from " + threadsAfterWarmUp + " to " + threadsAtEnd);
        // Flink closes a finished job's class loaders asynchronously (its TaskManager connection and JobMaster
        // end after the result is out), so the last few jobs' loaders may still be alive; what matters is that
        // the count does not follow the number of jobs: the 40 jobs after the warm-up left at most a few.
        assertTrue(atEnd.loaders() <= RECENT_LOADERS, "user-code class loaders alive after " + JOBS + " jobs: " + atEnd);
    }

    /** One classify job with ScanFlow from {@code jar}; returns how many predictions it made. */
    private static int runJob(Path jar, Path model) throws Exception {
        TestStreamEnvironment env = new TestStreamEnvironment(cluster, new Configuration(), 1,
                List.of(new org.apache.flink.core.fs.Path(jar.toUri())), List.of());
        DataStream<ScanInput> input = env.fromData(TestRecords.first(RECORDS, KEYS), TypeInformation.of(ScanInput.class));
        ModelSpec spec = ModelSpec.of(model).withEngine(EngineChoice.CPU).withThreads(2).withChunkLength(16);
        CloseableIterator<Prediction> out = ScanOperators.predictNextToken(ScanOperators.keyByStream(input), spec,
                Classify.perChunk()).collectAsync();
        JobClient client = env.executeAsync("scanflow lifecycle");
        List<Prediction> predictions = new ArrayList<>();
        try (out) {
            out.forEachRemaining(predictions::add);
        }
        // Returns once every task has finished, so every operator has closed.
        CompletableFuture<?> result = client.getJobExecutionResult();
        result.get();
        return predictions.size();
    }

    private static List<String> scanflowThreads() {
        List<String> names = new ArrayList<>();
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            if (t.getThreadName().startsWith("scanflow-")) {
                names.add(t.getThreadName());
            }
        }
        Collections.sort(names);
        return names;
    }

    private static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }
}
