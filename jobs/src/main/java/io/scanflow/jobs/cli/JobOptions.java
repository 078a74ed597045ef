package io.scanflow.jobs.cli;

import io.scanflow.jobs.stream.Locations;
import io.scanflow.jobs.stream.TemporaryFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Option;

/**
 * Options every Flink job subcommand shares: parallelism, checkpointing, the local web UI and the
 * progress display. {@link #environment} turns them into the job's execution environment: embedded
 * Flink when the {@code scanflow} command runs the job, the cluster's when {@code flink run} does.
 */
public final class JobOptions {
    /** When the progress bar shows. */
    public enum ProgressDisplay { AUTO, ON, OFF }

    @Option(names = "--parallelism", paramLabel = "N",
            description = "Parallel subtasks of the model operator (default: the processors here for a local run,"
                    + " the cluster's parallelism.default under flink run).")
    Integer parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "2s", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Time between checkpoints; output files are committed at each, and a finite run ends"
                    + " at the first one after its last output (e.g. 500ms, 2s, 1min; default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR|URI",
            description = "Where checkpoints go, kept when the job is cancelled so it can resume with flink run -s"
                    + " (default: the cluster's execution.checkpointing.dir; a local run writes them to a temporary"
                    + " folder, removed when the command ends).")
    String checkpointDir;

    @Option(names = "--web-ui", arity = "0..1", paramLabel = "PORT", fallbackValue = "8081",
            description = "Serve Flink's web UI while a local run lasts, on PORT (default ${FALLBACK-VALUE}).")
    Integer webUiPort;

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "auto|on|off",
            description = "Progress bar on stderr; auto: when the console is interactive (default: ${DEFAULT-VALUE}).")
    ProgressDisplay progress;

    /** A local run's checkpoint folder when no --checkpoint-dir is given; null otherwise. */
    private TemporaryFolder temporaryCheckpoints;

    /** The environment a job runs in, and where. */
    record FlinkEnvironment(StreamExecutionEnvironment env, boolean local, String webUi) {}

    /**
     * The job's environment. {@code flinkSettings} (the config file's {@code flink:} section) come first,
     * the options above over them. A local run also gets a bounded restart strategy unless the settings
     * name one: a failure that repeats should end the command, not retry forever.
     */
    FlinkEnvironment environment(Map<String, String> flinkSettings) {
        if (checkpointInterval.isZero()) {
            throw new IllegalArgumentException("--checkpoint-interval must be positive: output files are committed"
                    + " at checkpoints");
        }
        if (parallelism != null && parallelism < 1) {
            throw new IllegalArgumentException("--parallelism must be positive, found " + parallelism);
        }
        Configuration conf = Configuration.fromMap(flinkSettings);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        if (checkpointDir != null) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, Locations.uri(checkpointDir));
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        if (parallelism != null) {
            conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (!(env instanceof LocalStreamEnvironment)) {
            return new FlinkEnvironment(env, false, null);
        }
        if (!conf.contains(RestartStrategyOptions.RESTART_STRATEGY)) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        }
        if (checkpointDir == null && !conf.contains(CheckpointingOptions.CHECKPOINT_STORAGE)
                && !conf.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)) {
            useTemporaryCheckpoints(conf);
        }
        if (webUiPort == null) {
            return new FlinkEnvironment(StreamExecutionEnvironment.createLocalEnvironment(conf), true, null);
        }
        conf.set(RestOptions.PORT, webUiPort);
        return new FlinkEnvironment(StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf), true,
                "http://localhost:" + webUiPort);
    }

    /**
     * Checkpoints of a local run go to a temporary folder rather than the JobManager's memory, whose 5 MB
     * limit a few hundred generation sessions' state exceeds; the folder goes when the JVM ends.
     */
    private void useTemporaryCheckpoints(Configuration conf) {
        try {
            temporaryCheckpoints = TemporaryFolder.create("scanflow-checkpoints");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary checkpoint folder (give --checkpoint-dir): "
                    + e.getMessage(), e);
        }
        TemporaryFolder folder = temporaryCheckpoints;
        Runtime.getRuntime().addShutdownHook(new Thread(folder::close, "scanflow remove temporary checkpoints"));
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, temporaryCheckpoints.path().toUri().toString());
    }

    /** Whether to draw the progress bar. */
    boolean showProgress() {
        return progress == ProgressDisplay.ON || (progress == ProgressDisplay.AUTO && System.console() != null);
    }

    /** Checkpointing as the summary shows it. */
    String describeCheckpoints(boolean local) {
        String where = checkpointDir != null ? Locations.uri(checkpointDir)
                : temporaryCheckpoints != null ? "a temporary folder" : local ? "as the flink: settings say"
                : "the cluster's checkpoint storage";
        return "every " + DurationConverter.format(checkpointInterval) + ", " + where;
    }
}
