package io.scanflow.jobs.cli;

import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.ScanOptions;
import io.scanflow.jobs.stream.Checkpoints;
import io.scanflow.jobs.stream.FailOnce;
import io.scanflow.jobs.stream.Locations;
import io.scanflow.jobs.stream.OutputFiles;
import io.scanflow.jobs.stream.OutputLines;
import io.scanflow.jobs.stream.TokenFile;
import io.scanflow.jobs.stream.TokenFileRecords;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.io.BadRecordPolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A Flink streaming job over a token file, int32 {@code [B, L]}: each sequence is one key, its records go
 * through a keyed model operator, the outputs through an exactly-once file sink into
 * {@code <out>/parts}; when the job has finished, the committed lines are checked (each output exactly
 * once) and merged into one result file in a fixed order. A subclass names the operator, the records
 * and the result.
 *
 * <p>The same command runs on embedded Flink (the {@code scanflow} launcher) and on a cluster
 * ({@code flink run} with the job jar): the model folder, the token file and the output folder must then
 * be reachable from every TaskManager under the same name (a shared file system or a URI).
 */
abstract class TokenStreamCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    JobOptions jobOptions;

    @Mixin
    OperatorOptions operatorOptions;

    @Option(names = "--tokens", required = true, paramLabel = "FILE|URI",
            description = "Token file, raw little-endian int32 [B, L]: B sequences (keys) of L tokens.")
    String tokens;

    @Option(names = "--batch", required = true, paramLabel = "B", description = "Number of sequences in the file.")
    int batch;

    @Option(names = "--records-per-second", defaultValue = "0", paramLabel = "R",
            description = "Pace the source, so a file streams like a live input (0: as fast as the job takes it;"
                    + " default: ${DEFAULT-VALUE}).")
    double recordsPerSecond;

    @Option(names = "--out", required = true, paramLabel = "DIR|URI",
            description = "Output folder: parts/ (the sink's committed files) and the merged result.")
    String out;

    @Option(names = "--overwrite", description = "Replace the output of an earlier run in --out.")
    boolean overwrite;

    @Option(names = "--resume", description = "Go on with a run that was stopped (killed, crashed): from the newest"
            + " complete checkpoint in --checkpoint-dir, keeping the output already committed in --out.")
    boolean resume;

    @Option(names = "--fail-after", paramLabel = "N", hidden = true,
            description = "Recovery test: fail the job once, when the model operator has emitted N outputs in this"
                    + " JVM since the first completed checkpoint; it restarts from its last checkpoint.")
    Long failAfter;

    @Option(names = "--records-per-checkpoint", paramLabel = "N", hidden = true,
            description = "Recovery test: the source lets N records through per checkpoint, so a run outlasts its"
                    + " first checkpoints whatever the machine's speed.")
    Integer recordsPerCheckpoint;

    @Spec
    CommandSpec spec;

    /** Tokens per input record, for sequences of {@code length}. */
    abstract int recordTokens(int length);

    /** The engine's prefill chunk length. */
    abstract int engineChunk(int length);

    /** Outputs the job must produce (for the progress bar and the completeness check). */
    abstract long expectedOutputs(int length);

    /** What an output is, plural (progress bar, summary). */
    abstract String outputUnit();

    /** The result file's name in the output folder. */
    abstract String resultName();

    /** Demand records per key after the file's records (generation on demand); 0 for none. */
    int demandRounds() {
        return 0;
    }

    /**
     * Whether checkpoints are unaligned: for generation on demand, whose demand can wait in the network
     * buffers for a long time (an aligned barrier would wait behind it).
     */
    boolean unalignedCheckpoints() {
        return false;
    }

    /** How the source is paced: {@code --records-per-second}, else as fast as the job takes the records. */
    RateLimiterStrategy<?> sourcePacing() {
        return recordsPerSecond > 0 ? RateLimiterStrategy.perSecond(recordsPerSecond) : RateLimiterStrategy.noOp();
    }

    private RateLimiterStrategy<?> pacing() {
        if (recordsPerCheckpoint == null) {
            return sourcePacing();
        }
        if (recordsPerCheckpoint < 1) {
            throw new IllegalArgumentException("--records-per-checkpoint must be at least 1, found " + recordsPerCheckpoint);
        }
        return RateLimiterStrategy.perCheckpoint(recordsPerCheckpoint);
    }

    /** Checks options that depend on the sequence length; throws with the option named. */
    void check(int length) {}

    /** The keyed model operator over the records. */
    abstract SingleOutputStreamOperator<?> model(KeyedStream<ScanInput, String> keyed, ModelSpec model,
                                                 ScanOptions options);

    /** Checks the committed lines (every output exactly once) and writes the result file. */
    abstract void writeResult(List<String> lines, int[][] sequences, String resultUri) throws Exception;

    @Override
    public final Integer call() throws Exception {
        Optional<Path> localOut = Locations.localPath(out);
        if (localOut.isEmpty()) {
            return run();
        }
        try (OutputFolder folder = OutputFolder.open("--out", localOut.get())) {
            return run();
        }
    }

    private int run() throws Exception {
        if (recordsPerSecond < 0) {
            throw new IllegalArgumentException("--records-per-second must not be negative, found " + recordsPerSecond);
        }
        SequenceModel model = modelOptions.check();
        String backend = modelOptions.backend();
        Locations.localPath(tokens).ifPresent(p -> CliFiles.requireFile("--tokens", p));
        String tokensUri = Locations.uri(tokens);
        int[][] sequences = TokenFile.parse(tokens, Locations.readAll(tokensUri), batch, model.vocabSize());
        int length = sequences[0].length;
        check(length);
        String outUri = Locations.uri(out);
        Map<String, String> flinkSettings = ConfigFile.flinkSettings(spec);
        if (resume) {
            flinkSettings = new java.util.LinkedHashMap<>(flinkSettings);
            flinkSettings.put(StateRecoveryOptions.SAVEPOINT_PATH.key(), checkpointToResume());
        } else {
            OutputFiles.prepare(outUri, out, overwrite, resultName());
        }

        JobOptions.FlinkEnvironment flink = jobOptions.environment(flinkSettings);
        if (unalignedCheckpoints()) {
            flink.env().getCheckpointConfig().enableUnalignedCheckpoints();
        }
        String run = UUID.randomUUID().toString();
        int recordTokens = recordTokens(length);
        DataStream<ScanInput> input = TokenFileRecords.stream(flink.env(),
                new TokenFileRecords(tokensUri, batch, length, recordTokens, model.vocabSize()).withDemand(demandRounds()),
                pacing());
        // Every token was checked above: a bad record now means the file changed, and fails the job.
        ScanOptions options = operatorOptions.scanOptions().withBadRecords(BadRecordPolicy.FAIL);
        lines(model(ScanOperators.keyByStream(input), modelOptions.spec(engineChunk(length)), options), run)
                .sinkTo(OutputFiles.sink(outUri)).uid("output-files").name("output files");

        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        if (flink.webUi() != null) {
            err.println("Flink web UI: " + flink.webUi() + " (while the job runs)");
            err.flush();
        } else if (!flink.local() && jobOptions.webUiPort != null) {
            err.println("scanflow " + spec.name() + ": --web-ui is for local runs; the cluster serves its own web UI");
            err.flush();
        }
        long expected = expectedOutputs(length);
        String jobName = "scanflow " + spec.name() + " " + modelOptions.model.getFileName();
        JobRunner.Result result = JobRunner.run(flink, jobName, run, expected, outputUnit(), jobOptions.showProgress());
        if (result.detached()) {
            stdout.println("scanflow " + spec.name() + ": submitted as job " + result.jobId() + "; its output lines go to "
                    + OutputFiles.resolve(outUri, OutputFiles.PARTS) + " (the merged " + resultName()
                    + " is written by an attached run)");
            stdout.flush();
            return ExitCodes.OK;
        }

        List<String> lines = OutputFiles.committedLines(outUri);
        String resultUri = OutputFiles.resolve(outUri, resultName());
        writeResult(lines, sequences, resultUri);

        double seconds = result.elapsed().toNanos() / 1e9;
        long inputTokens = (long) batch * length;
        Summary summary = new Summary("scanflow " + spec.name() + ": done")
                .row("sequences", batch + " keys, " + TokenFileRecords.records(batch, length, recordTokens) + " records")
                .row("input tokens", String.format("%,d", inputTokens))
                .row(outputUnit(), String.format("%,d", lines.size()))
                .row("time", String.format("%.1f s", seconds))
                .row("throughput", Summary.rate(lines.size(), seconds) + " " + outputUnit() + "/s, "
                        + Summary.rate(inputTokens, seconds) + " input tokens/s")
                .row("engine", engines(result.accumulators(), backend))
                .row("parallelism", String.valueOf(flink.env().getParallelism()))
                .row("checkpoints", jobOptions.describeCheckpoints(flink.local()));
        if (failAfter != null && flink.local()) {
            summary.row("injected failure", FailOnce.failed(run)
                    ? "fired after " + failAfter + " outputs; the job restarted from its last checkpoint"
                    : FailOnce.seen(run) < 0 ? "did not fire: no checkpoint completed while outputs were left"
                    : "did not fire: " + FailOnce.seen(run) + " outputs followed the first completed checkpoint");
        }
        Object gpus = result.accumulators().get(OutputLines.GPUS);
        if (gpus instanceof List<?> list && !list.isEmpty()) {
            summary.row("GPUs", "indexes " + String.join(",", new TreeSet<>(list.stream().map(String::valueOf).toList()))
                    + " (Flink external resource 'gpu')");
        }
        summary.row("output", resultUri);
        if (flink.local() && CommonOptions.logFile() != null) {
            summary.row("log", CommonOptions.logFile());
        }
        summary.print(stdout);
        return ExitCodes.OK;
    }

    /** The newest complete checkpoint of the stopped run, which the job restores (its committed output stays). */
    private String checkpointToResume() throws java.io.IOException {
        if (jobOptions.checkpointDir == null) {
            throw new UsageError("--resume needs the --checkpoint-dir the stopped run wrote its checkpoints to");
        }
        if (overwrite) {
            throw new UsageError("--resume keeps the output in --out; --overwrite would delete it");
        }
        String dir = Locations.uri(jobOptions.checkpointDir);
        return Checkpoints.latest(dir).orElseThrow(() -> new IllegalArgumentException("--resume: no complete checkpoint in "
                + jobOptions.checkpointDir + " (the run stopped before its first checkpoint: start it again without --resume)"));
    }

    private <T> DataStream<String> lines(SingleOutputStreamOperator<T> outputs, String run) {
        DataStream<T> checked = outputs;
        if (failAfter != null) {
            if (failAfter < 1) {
                throw new IllegalArgumentException("--fail-after must be at least 1, found " + failAfter);
            }
            checked = outputs.map(new FailOnce<T>(run, failAfter)).returns(outputs.getType())
                    .uid("inject-failure").name("inject a failure");
        }
        return checked.map(new OutputLines<T>(run, modelOptions.engine))
                .returns(Types.STRING).uid("output-lines").name("output lines");
    }

    /** Backends the subtasks ran, from the accumulators: {@code cpu (2 subtasks)}. */
    private static String engines(Map<String, Object> accumulators, String fallback) {
        Map<String, Integer> counts = new TreeMap<>();
        accumulators.forEach((name, value) -> {
            if (name.startsWith(OutputLines.ENGINE_PREFIX) && value instanceof Number n) {
                counts.put(name.substring(OutputLines.ENGINE_PREFIX.length()), n.intValue());
            }
        });
        if (counts.isEmpty()) {
            return fallback;
        }
        StringBuilder sb = new StringBuilder();
        counts.forEach((backend, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(backend).append(" (").append(n)
                .append(n == 1 ? " subtask)" : " subtasks)"));
        return sb.toString();
    }
}
