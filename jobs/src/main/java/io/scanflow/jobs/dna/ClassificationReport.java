package io.scanflow.jobs.dna;

import io.scanflow.jobs.stream.BadInputRows;
import io.scanflow.jobs.stream.Tsv;
import io.scanflow.model.io.BadInput;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Collects the job's results and writes its outputs, each starting with the provenance line:
 * {@code predictions.tsv} (one call per fragment), {@code samples.tsv} (each sample's composition and
 * mixture flag), {@code kraken/SAMPLE.kreport} (Kraken2-style, where the model ships a taxonomy),
 * {@code report.md}, {@code bad-input.tsv} when there was bad input, and a chart: the confusion matrix
 * where some truth is known ({@code confusion.png}), else each sample's composition
 * ({@code composition.png}). Rows are sorted, so the files do not depend on parallelism.
 */
public final class ClassificationReport {
    /** Samples with at least this many fragments are counted in the per-sample accuracy. */
    static final int MIN_SAMPLE_READS = 50;
    static final String CONFUSION_PNG = "confusion.png";
    static final String COMPOSITION_PNG = "composition.png";

    private final List<String> labels;
    private final Truth truth;
    private final ReportSettings settings;
    private final Optional<Taxonomy> taxonomy;
    private final List<ReadPrediction> reads = new ArrayList<>();
    private final Map<String, SampleVote> votes = new TreeMap<>();
    private final List<BadInput> bad = new ArrayList<>();

    ClassificationReport(List<String> labels, Truth truth, ReportSettings settings, Optional<Taxonomy> taxonomy) {
        this.labels = labels;
        this.truth = truth;
        this.settings = settings;
        this.taxonomy = taxonomy;
    }

    void add(JobOutput o) {
        if (o.read() != null) {
            reads.add(o.read());
        } else if (o.sample() != null) {
            votes.put(o.sample().sample(), o.sample());
        } else {
            bad.add(o.bad());
        }
    }

    int reads() {
        return reads.size();
    }

    List<ReadPrediction> readPredictions() {
        return reads;
    }

    List<BadInput> bad() {
        return bad;
    }

    Map<String, SampleVote> votes() {
        return votes;
    }

    /** Summary numbers, also printed on the terminal. */
    public record Summary(int reads, int fragments, int unclassified, int readsWithTruth, int correct, int samples,
                          int samplesScored, int samplesCorrect, int mixtures) {
        public double readAccuracy() {
            return readsWithTruth == 0 ? Double.NaN : (double) correct / readsWithTruth;
        }

        public double sampleAccuracy() {
            return samplesScored == 0 ? Double.NaN : (double) samplesCorrect / samplesScored;
        }
    }

    /**
     * A read's own call as a row (with its newline): read_id, sample, best label, probability. The live
     * Kafka output writes these as the reads come, before fragments are paired and thresholds applied.
     */
    public static String predictionRow(ReadPrediction p) {
        return Tsv.row(p.readId(), p.sample(), p.predicted(), String.format(Locale.ROOT, "%.6f", p.probability()));
    }

    /** A sample's vote as a row (with its newline): sample, reads, predicted, votes. */
    public static String sampleRow(SampleVote v) {
        return Tsv.row(v.sample(), v.reads(), v.predicted(), v.votes());
    }

    /** The per-sample result where the sample's truth is given: its true label, or null. */
    record SampleResult(SampleComposition composition, String truth) {
    }

    public Summary write(OutputSink sink, String inputs, double seconds) throws IOException {
        List<Call> calls = Calls.of(reads, settings.minProbability());
        List<SampleComposition> samples = SampleComposition.of(calls);
        String comment = "# " + settings.provenance().line() + "\n";

        try (Writer w = sink.text("predictions.tsv")) {
            if (w != null) {
                w.write(comment + "read_id\tsample\tpredicted\tprobability\tbest\n");
                for (Call c : calls) {
                    w.write(Tsv.row(c.id(), c.sample(), c.call(), String.format(Locale.ROOT, "%.6f", c.probability()), c.best()));
                }
            }
        }
        try (Writer w = sink.text("samples.tsv")) {
            if (w != null) {
                w.write(comment + "sample\tfragments\tpredicted\tfraction\tmixture\tcomposition\n");
                for (SampleComposition s : samples) {
                    w.write(Tsv.row(s.sample(), s.fragments(), s.predicted(), String.format(Locale.ROOT, "%.3f", s.fraction(s.predicted())),
                            s.mixture(settings.mixtureFraction()) ? "yes" : "no", s.composition()));
                }
            }
        }
        writeKrakenReports(sink, samples, comment);
        if (bad.isEmpty()) {
            sink.removeStale("bad-input.tsv"); // an earlier run's, which report.md would contradict
        } else {
            try (Writer w = sink.text("bad-input.tsv")) {
                if (w != null) {
                    w.write(comment + BadInputRows.HEADER);
                    for (BadInput b : bad) {
                        w.write(BadInputRows.row(b));
                    }
                }
            }
        }

        Scores scores = new Scores(labels, truth, calls, samples);
        Summary summary = new Summary(reads.size(), calls.size(), (int) calls.stream().filter(c -> !c.classified()).count(),
                scores.withTruth(), scores.correct(), samples.size(), scores.samplesScored(), scores.samplesCorrect(),
                (int) samples.stream().filter(s -> s.mixture(settings.mixtureFraction())).count());
        try (Writer w = sink.text("report.md")) {
            if (w != null) {
                w.write(new ReportMarkdown(labels, settings, bad).render(inputs, seconds, calls, samples, scores, summary));
            }
        }
        writeChart(sink, samples, scores);
        return summary;
    }

    private void writeKrakenReports(OutputSink sink, List<SampleComposition> samples, String comment) throws IOException {
        if (taxonomy.isEmpty()) {
            return;
        }
        KrakenReport kraken = new KrakenReport(taxonomy.get());
        Set<String> used = new HashSet<>();
        for (SampleComposition s : samples) {
            try (Writer w = sink.text("kraken/" + fileName(s.sample(), used) + ".kreport")) {
                if (w != null) {
                    w.write(comment);
                    kraken.write(w, s);
                }
            }
        }
    }

    /** A sample's name as a file name: characters other than letters, digits, '.', '_' and '-' become '_'; unique. */
    static String fileName(String sample, Set<String> used) {
        String base = sample.replaceAll("[^A-Za-z0-9._-]", "_");
        if (base.startsWith(".")) {
            base = "_" + base.substring(1);
        }
        String name = base;
        for (int n = 2; !used.add(name); n++) {
            name = base + "-" + n;
        }
        return name;
    }

    private void writeChart(OutputSink sink, List<SampleComposition> samples, Scores scores) throws IOException {
        boolean truthKnown = scores.withTruth() > 0;
        sink.removeStale(truthKnown ? COMPOSITION_PNG : CONFUSION_PNG);
        Path file = sink.image(truthKnown ? CONFUSION_PNG : COMPOSITION_PNG);
        if (file == null) {
            return;
        }
        try {
            Png.write(truthKnown ? Charts.confusion(labels, scores.columns(), scores.confusion())
                    : Charts.composition(labels, samples), file, settings.provenance());
        } catch (LinkageError | InternalError e) {
            // A server without font libraries (libfontmanager needs harfbuzz and freetype) draws no text:
            // report.md holds the same numbers.
            System.err.println("dna-classify: " + file.getFileName() + " not drawn (" + e.getMessage() + ")");
        }
    }

    /**
     * Accuracy where the truth is known. A fragment's truth comes from {@code --truth} or its read name; a
     * sample's truth from {@code --truth} (a {@code sample} file), or when all its fragments have the same
     * known label. A sample whose fragments have several true labels, or none, is not scored.
     */
    static final class Scores {
        private final List<String> columns;
        private final long[][] confusion;
        private int withTruth;
        private int correct;
        private int samplesScored;
        private int samplesCorrect;
        private final Map<String, String> sampleTruth = new HashMap<>();

        Scores(List<String> labels, Truth truth, List<Call> calls, List<SampleComposition> samples) {
            columns = new ArrayList<>(labels);
            columns.add(Calls.UNCLASSIFIED);
            confusion = new long[labels.size()][columns.size()];
            Map<String, Set<String>> truthsOfSample = new HashMap<>();
            for (Call c : calls) {
                String t = truth.ofRead(c.id());
                truthsOfSample.computeIfAbsent(c.sample(), k -> new HashSet<>()).add(t == null || !labels.contains(t) ? "" : t);
                if (t == null || !labels.contains(t)) {
                    continue;
                }
                withTruth++;
                correct += t.equals(c.call()) ? 1 : 0;
                confusion[labels.indexOf(t)][columns.indexOf(c.call())]++;
            }
            for (SampleComposition s : samples) {
                String t = truth.ofSample(s.sample());
                Set<String> fromReads = truthsOfSample.getOrDefault(s.sample(), Set.of());
                if (t == null && fromReads.size() == 1 && !fromReads.contains("")) {
                    t = fromReads.iterator().next();
                }
                if (t == null) {
                    continue;
                }
                sampleTruth.put(s.sample(), t);
                if (s.fragments() >= MIN_SAMPLE_READS) {
                    samplesScored++;
                    samplesCorrect += t.equals(s.predicted()) ? 1 : 0;
                }
            }
        }

        int withTruth() {
            return withTruth;
        }

        int correct() {
            return correct;
        }

        int samplesScored() {
            return samplesScored;
        }

        int samplesCorrect() {
            return samplesCorrect;
        }

        List<String> columns() {
            return columns;
        }

        long[][] confusion() {
            return confusion;
        }

        /** The sample's true label where given, else null. */
        String truthOf(String sample) {
            return sampleTruth.get(sample);
        }
    }
}
