package io.scanflow.jobs.dna;

import io.scanflow.model.head.ClassificationHeads;
import io.scanflow.model.io.InputNames;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/** Runs the job, shows progress, and writes the output files; what the command and the tests call. */
public final class DnaClassify {
    private DnaClassify() {
    }

    /** Runs on {@code env} and writes {@code out}; progress goes to {@code progress}. */
    public static ClassificationReport.Summary run(StreamExecutionEnvironment env, DnaClassifyJob.Settings settings,
            Path truthFile, Path out, PrintWriter progress) throws Exception {
        return run(DnaClassifyJob.build(env, settings), settings, truthFile, out, progress);
    }

    /** Runs the job whose outputs are {@code results} (from files or a topic) and writes {@code out}. */
    public static ClassificationReport.Summary run(DataStream<JobOutput> results, DnaClassifyJob.Settings settings,
            Path truthFile, Path out, PrintWriter progress) throws Exception {
        List<String> labels = ClassificationHeads.load(settings.model()).labels();
        ClassificationReport report = new ClassificationReport(labels, Truth.load(labels, truthFile));
        long start = System.nanoTime();
        long lastShown = 0;
        long bases = 0;
        try (CloseableIterator<JobOutput> it = results.executeAndCollect("scanflow dna-classify")) {
            while (it.hasNext()) {
                JobOutput o = it.next();
                report.add(o);
                if (o.read() != null) {
                    bases += o.read().bases();
                }
                if (o.bad() != null) {
                    progress.println("bad input: " + o.bad().describe());
                }
                long now = System.nanoTime();
                if (now - lastShown > 1_000_000_000L) {
                    lastShown = now;
                    progress.println(line(report, bases, (now - start) / 1e9));
                    progress.flush();
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.println(line(report, bases, seconds));
        progress.flush();
        String inputs = String.join(", ", InputNames.of(settings.inputs()));
        return report.write(out, inputs, settings.model().getFileName().toString(), seconds);
    }

    private static String line(ClassificationReport r, long bases, double seconds) {
        return String.format(Locale.ROOT, "dna-classify: %d reads classified, %d samples voted, %d bad records, %.1f s, %.0f bases/s",
                r.reads(), r.votes().size(), r.bad().size(), seconds, bases / Math.max(seconds, 1e-9));
    }
}
