package io.scanflow.jobs.dna;

import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.jobs.stream.OutputFiles;
import io.scanflow.jobs.stream.Progress;
import io.scanflow.model.head.ClassificationHeads;
import io.scanflow.model.io.InputNames;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the job, shows progress, and writes the output files; what the command and the tests call.
 *
 * <p>The TaskManagers write the outputs as lines into {@code <out>/parts} through the exactly-once file
 * sink; when the job has finished, the committed lines become the report's files and the parts folder is
 * removed.
 */
public final class DnaClassify {
    private static final long PROGRESS_MILLIS = 1_000;

    private DnaClassify() {
    }

    /** Runs on {@code env} and writes into the folder {@code out} with the default settings; progress goes to {@code progress}. */
    public static ClassificationReport.Summary run(StreamExecutionEnvironment env, DnaClassifyJob.Settings settings,
            Path truthFile, Path out, PrintWriter progress) throws Exception {
        return run(env, settings, truthFile, out, OutputSink.folder(out), ReportSettings.defaults(settings.model()), progress);
    }

    /**
     * Runs on {@code env} and writes to {@code sink} as {@code reportSettings} say; progress goes to
     * {@code progress}. The TaskManagers write their lines into {@code work} (the output folder, or a
     * temporary folder when the outputs go to standard streams).
     */
    public static ClassificationReport.Summary run(StreamExecutionEnvironment env, DnaClassifyJob.Settings settings,
            Path truthFile, Path work, OutputSink sink, ReportSettings reportSettings, PrintWriter progress) throws Exception {
        return run(DnaClassifyJob.files(env, settings), settings, truthFile, work, sink, reportSettings, progress);
    }

    /** As {@link #run(StreamExecutionEnvironment, DnaClassifyJob.Settings, Path, Path, OutputSink, ReportSettings,
     * PrintWriter)}, for the reads of {@code records}: the input files, or a topic read up to its end. */
    public static ClassificationReport.Summary run(DataStream<SourceRecord> records, DnaClassifyJob.Settings settings,
            Path truthFile, Path work, OutputSink sink, ReportSettings reportSettings, PrintWriter progress) throws Exception {
        StreamExecutionEnvironment env = records.getExecutionEnvironment();
        List<String> labels = ClassificationHeads.load(settings.model()).labels();
        ClassificationReport report = new ClassificationReport(labels, Truth.load(labels, truthFile), reportSettings,
                Taxonomy.load(settings.model(), labels));
        String outUri = work.toAbsolutePath().toUri().toString();
        OutputFiles.deleteParts(outUri); // an earlier run's lines would be merged into this one's
        String run = UUID.randomUUID().toString();
        DnaClassifyJob.Outputs outputs = DnaClassifyJob.outputs(records, settings);
        TypeInformation<JobOutput> type = TypeInformation.of(JobOutput.class);
        // Predictions are written by the subtask that made them (the sink chained to the model operator);
        // votes and bad input are few, and share a second sink.
        outputs.predictions().map(JobOutput::of).returns(type).name("predictions")
                .map(new JobOutputLines(run)).returns(Types.STRING).name("prediction lines").uid("prediction-lines")
                .sinkTo(OutputFiles.sink(outUri)).name("prediction files").uid("prediction-files");
        outputs.votes().map(JobOutput::of).returns(type).name("votes")
                .union(outputs.bad().map(JobOutput::of).returns(type).name("bad input"))
                .map(new JobOutputLines(run)).returns(Types.STRING).name("vote and bad input lines")
                .uid("vote-and-bad-input-lines")
                .sinkTo(OutputFiles.sink(outUri)).name("vote and bad input files").uid("vote-and-bad-input-files");
        long start = System.nanoTime();
        try {
            waitShowingProgress(env.executeAsync("scanflow dna-classify"), run, start, progress);
        } finally {
            Progress.forget(JobOutputLines.readsCounter(run));
            Progress.forget(JobOutputLines.basesCounter(run));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (String line : OutputFiles.committedLines(outUri)) {
            JobOutput o = JobOutputLines.parse(line);
            report.add(o);
            if (o.bad() != null) {
                progress.println("bad input: " + o.bad().describe());
            }
        }
        progress.println(line(report.reads(), report.votes().size(), report.bad().size(), readBases(report), seconds));
        progress.flush();
        OutputFiles.deleteParts(outUri);
        String inputs = String.join(", ", InputNames.of(settings.inputs()));
        return report.write(sink, inputs, seconds);
    }

    /** Waits for the job, a progress line a second: counted in this JVM, else (a cluster) from accumulators. */
    private static void waitShowingProgress(JobClient client, String run, long start, PrintWriter progress)
            throws Exception {
        CompletableFuture<JobExecutionResult> done = client.getJobExecutionResult();
        CompletableFuture<Map<String, Object>> remote = null;
        long remoteReads = 0;
        long remoteBases = 0;
        while (true) {
            try {
                done.get(PROGRESS_MILLIS, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                throw new IllegalStateException("the dna-classify job failed", e.getCause());
            } catch (TimeoutException notYet) {
                if (remote != null && remote.isDone() && !remote.isCompletedExceptionally()) {
                    remoteReads = count(remote.get().get(JobOutputLines.READS), remoteReads);
                    remoteBases = count(remote.get().get(JobOutputLines.BASES), remoteBases);
                    remote = null;
                }
                long reads = Progress.get(JobOutputLines.readsCounter(run));
                if (reads == 0 && remote == null) {
                    remote = client.getAccumulators();
                }
                long bases = reads > 0 ? Progress.get(JobOutputLines.basesCounter(run)) : remoteBases;
                progress.println(line(Math.max(reads, remoteReads), -1, -1, bases, (System.nanoTime() - start) / 1e9));
                progress.flush();
            }
        }
    }

    private static long count(Object accumulator, long before) {
        return accumulator instanceof Number n ? n.longValue() : before;
    }

    private static long readBases(ClassificationReport report) {
        return report.readPredictions().stream().mapToLong(ReadPrediction::bases).sum();
    }

    /** The progress line; samples and bad records only once known (negative: not yet). */
    private static String line(long reads, int samples, int bad, long bases, double seconds) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "dna-classify: %d reads classified", reads));
        if (samples >= 0) {
            sb.append(String.format(Locale.ROOT, ", %d samples voted, %d bad records", samples, bad));
        }
        return sb.append(String.format(Locale.ROOT, ", %.1f s, %.0f bases/s", seconds, bases / Math.max(seconds, 1e-9)))
                .toString();
    }
}
