package io.scanflow.jobs.dna;

import io.scanflow.jobs.stream.BadInputRows;
import io.scanflow.jobs.stream.Progress;
import io.scanflow.jobs.stream.Tsv;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * The job's outputs as lines of its exactly-once file sink, and back: the TaskManagers write a million
 * predictions in parallel, where sending each to the client (a collect sink) made one thread the limit.
 * Counts reads and bases for the progress display: in this JVM ({@link Progress}, embedded Flink) and
 * in accumulators (a cluster).
 *
 * <p>Lines, fields escaped as in {@link Tsv}: {@code read id sample predicted probability bases},
 * {@code vote sample reads predicted votes}, {@code bad file record field problem recordsLost estimated}. Probabilities print
 * as {@link Float#toString}, which reads back to the same float.
 */
final class JobOutputLines extends RichMapFunction<JobOutput, String> {
    private static final long serialVersionUID = 1L;
    static final String READS = "scanflow-reads";
    static final String BASES = "scanflow-bases";

    private final String run;
    private transient LongCounter reads;
    private transient LongCounter bases;
    private transient AtomicLong localReads;
    private transient AtomicLong localBases;

    /** @param run the run's id, under which this JVM's {@link Progress} counts */
    JobOutputLines(String run) {
        this.run = run;
    }

    static String readsCounter(String run) {
        return run + "/" + READS;
    }

    static String basesCounter(String run) {
        return run + "/" + BASES;
    }

    @Override
    public void open(OpenContext context) {
        reads = new LongCounter();
        bases = new LongCounter();
        getRuntimeContext().addAccumulator(READS, reads);
        getRuntimeContext().addAccumulator(BASES, bases);
        localReads = Progress.counter(readsCounter(run));
        localBases = Progress.counter(basesCounter(run));
    }

    @Override
    public String map(JobOutput o) {
        if (o.read() != null) {
            reads.add(1L);
            bases.add(o.read().bases());
            localReads.incrementAndGet();
            localBases.addAndGet(o.read().bases());
        }
        return line(o);
    }

    static String line(JobOutput o) {
        if (o.read() != null) {
            ReadPrediction p = o.read();
            return Tsv.join("read", p.readId(), p.sample(), p.predicted(), Float.toString(p.probability()), p.bases());
        }
        if (o.sample() != null) {
            SampleVote v = o.sample();
            return Tsv.join("vote", v.sample(), v.reads(), v.predicted(), v.votes());
        }
        return BadInputRows.line("bad", o.bad());
    }

    /** The output a line was written from. */
    static JobOutput parse(String line) {
        String[] f = line.split("\t", -1);
        for (int i = 0; i < f.length; i++) {
            f[i] = Tsv.unescape(f[i]);
        }
        switch (f[0]) {
            case "read":
                expect(line, f, 6);
                return JobOutput.of(new ReadPrediction(f[1], f[2], f[3], Float.parseFloat(f[4]), Integer.parseInt(f[5])));
            case "vote":
                expect(line, f, 5);
                return JobOutput.of(new SampleVote(f[1], Long.parseLong(f[2]), f[3], f[4]));
            case "bad":
                expect(line, f, 7);
                return JobOutput.of(BadInputRows.fromFields(f));
            default:
                throw new IllegalStateException("not a dna-classify output line: " + line);
        }
    }

    private static void expect(String line, String[] fields, int n) {
        if (fields.length != n) {
            throw new IllegalStateException("expected " + n + " fields in the output line, found " + fields.length
                    + ": " + line);
        }
    }
}
