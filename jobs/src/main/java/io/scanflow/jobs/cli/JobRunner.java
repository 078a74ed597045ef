package io.scanflow.jobs.cli;

import io.scanflow.jobs.stream.OutputLines;
import io.scanflow.jobs.stream.Progress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.core.execution.JobClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a built job and waits for it, drawing the progress bar meanwhile: from this JVM's counts for
 * embedded Flink, from the job's accumulators (as fresh as the TaskManagers' heartbeats) on a cluster.
 * A detached {@code flink run -d} returns at once.
 */
final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private static final long REMOTE_POLL_MILLIS = 2_000;

    /** How the job ended: its id, whether the client detached, the wall time, the accumulators. */
    record Result(String jobId, boolean detached, Duration elapsed, Map<String, Object> accumulators) {}

    private JobRunner() {}

    /**
     * Runs the job and waits for it.
     *
     * @param run      the run id under which {@link io.scanflow.jobs.stream.OutputLines} count in this JVM
     * @param expected outputs the job will produce, for the progress bar; 0 or less when unknown
     */
    static Result run(JobOptions.FlinkEnvironment flink, String jobName, String run, long expected, String unit,
                      boolean showProgress) throws Exception {
        long start = System.nanoTime();
        JobClient client;
        try {
            client = flink.env().executeAsync(jobName);
        } catch (Exception e) {
            throw JobFailures.of(e);
        }
        String jobId = client.getJobID().toString();
        LOG.info("{}: submitted as job {}", jobName, jobId);
        if (!flink.local() && !flink.env().getConfiguration().get(DeploymentOptions.ATTACHED)) {
            return new Result(jobId, true, Duration.ZERO, Map.of());
        }
        CompletableFuture<JobExecutionResult> done = client.getJobExecutionResult();
        ProgressBar bar = showProgress ? new ProgressBarBuilder().setTaskName(jobName).setInitialMax(expected > 0 ? expected : -1)
                .setUnit(" " + unit, 1).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().build()
                : null;
        CompletableFuture<Map<String, Object>> remote = null;
        long lastPoll = 0;
        long remoteCount = 0;
        try {
            while (true) {
                try {
                    JobExecutionResult result = done.get(250, TimeUnit.MILLISECONDS);
                    if (bar != null && expected > 0) {
                        bar.stepTo(expected);
                    }
                    return new Result(jobId, false, Duration.ofNanos(System.nanoTime() - start),
                            result.getAllAccumulatorResults());
                } catch (TimeoutException notYet) {
                    if (bar == null) {
                        continue;
                    }
                    if (flink.local()) {
                        bar.stepTo(clamp(Progress.get(run), expected));
                        continue;
                    }
                    if (remote != null && remote.isDone() && !remote.isCompletedExceptionally()) {
                        Object n = remote.get().get(OutputLines.OUTPUTS);
                        remoteCount = n instanceof Number ? ((Number) n).longValue() : remoteCount;
                        bar.stepTo(clamp(remoteCount, expected));
                        remote = null;
                    }
                    long now = System.currentTimeMillis();
                    if (remote == null && now - lastPoll >= REMOTE_POLL_MILLIS) {
                        lastPoll = now;
                        remote = client.getAccumulators();
                    }
                }
            }
        } catch (ExecutionException e) {
            throw JobFailures.of(e.getCause());
        } finally {
            if (bar != null) {
                bar.close();
            }
            Progress.forget(run);
        }
    }

    /** Replayed outputs after a restore count twice in this JVM: the bar never passes the total. */
    private static long clamp(long n, long expected) {
        return expected > 0 ? Math.min(n, expected) : n;
    }
}
