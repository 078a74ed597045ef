package io.scanflow.jobs.dna;

import io.scanflow.genomics.io.BadInput;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import io.scanflow.jobs.stream.Tsv;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Writes the job's files: {@code predictions.tsv} ({@code read_id sample predicted probability}),
 * {@code samples.tsv} ({@code sample reads predicted votes}), {@code report.md} (accuracy where the
 * truth is known, a per-class table, per-sample results, bad input) and {@code confusion.png}.
 * Rows are sorted (by sample, then read) so the files do not depend on parallelism.
 */
public final class ClassificationReport {
    /** Samples with at least this many reads are counted in the per-sample accuracy. */
    static final int MIN_SAMPLE_READS = 50;

    private final List<String> labels;
    private final Truth truth;
    private final List<ReadPrediction> reads = new ArrayList<>();
    private final Map<String, SampleVote> votes = new TreeMap<>();
    private final List<BadInput> bad = new ArrayList<>();

    ClassificationReport(List<String> labels, Truth truth) {
        this.labels = labels;
        this.truth = truth;
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

    List<BadInput> bad() {
        return bad;
    }

    Map<String, SampleVote> votes() {
        return votes;
    }

    /** Summary numbers, also printed on the terminal. */
    public record Summary(int reads, int readsWithTruth, int correct, int samples, int samplesScored, int samplesCorrect) {
        public double readAccuracy() {
            return readsWithTruth == 0 ? Double.NaN : (double) correct / readsWithTruth;
        }

        public double sampleAccuracy() {
            return samplesScored == 0 ? Double.NaN : (double) samplesCorrect / samplesScored;
        }
    }

    /** A row of predictions.tsv (with its newline). */
    public static String predictionRow(ReadPrediction p) {
        return Tsv.row(p.readId(), p.sample(), p.predicted(), String.format(Locale.ROOT, "%.6f", p.probability()));
    }

    /** A row of samples.tsv (with its newline). */
    public static String sampleRow(SampleVote v) {
        return Tsv.row(v.sample(), v.reads(), v.predicted(), v.votes());
    }

    /** A row of bad-input.tsv (with its newline). */
    public static String badInputRow(BadInput b) {
        return Tsv.row(b.file(), b.record(), b.field(), b.problem());
    }

    public Summary write(Path dir, String inputs, String model, double seconds) throws IOException {
        Files.createDirectories(dir);
        reads.sort(Comparator.comparing(ReadPrediction::sample).thenComparing(ReadPrediction::readId));
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("predictions.tsv"))) {
            w.write("read_id\tsample\tpredicted\tprobability\n");
            for (ReadPrediction p : reads) {
                w.write(predictionRow(p));
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("samples.tsv"))) {
            w.write("sample\treads\tpredicted\tvotes\n");
            for (SampleVote v : votes.values()) {
                w.write(sampleRow(v));
            }
        }
        if (bad.isEmpty()) {
            Files.deleteIfExists(dir.resolve("bad-input.tsv")); // an earlier run's, which report.md would contradict
        } else {
            try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("bad-input.tsv"))) {
                w.write("file\trecord\tfield\tproblem\n");
                for (BadInput b : bad) {
                    w.write(badInputRow(b));
                }
            }
        }

        int n = labels.size();
        long[][] confusion = new long[n][n];
        int withTruth = 0;
        int correct = 0;
        Map<String, Map<String, Integer>> sampleTruthVotes = new HashMap<>();
        long bases = 0;
        for (ReadPrediction p : reads) {
            bases += p.bases();
            String t = truth.ofRead(p.readId());
            if (t == null || !labels.contains(t)) {
                continue;
            }
            withTruth++;
            correct += t.equals(p.predicted()) ? 1 : 0;
            confusion[labels.indexOf(t)][labels.indexOf(p.predicted())]++;
            sampleTruthVotes.computeIfAbsent(p.sample(), k -> new HashMap<>()).merge(t, 1, Integer::sum);
        }
        List<String[]> sampleRows = new ArrayList<>();
        int scored = 0;
        int samplesCorrect = 0;
        for (SampleVote v : votes.values()) {
            String t = truth.ofSample(v.sample());
            if (t == null && sampleTruthVotes.containsKey(v.sample())) {
                t = sampleTruthVotes.get(v.sample()).entrySet().stream()
                        .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                        .get().getKey();
            }
            boolean ok = v.predicted().equals(t);
            if (t != null && v.reads() >= MIN_SAMPLE_READS) {
                scored++;
                samplesCorrect += ok ? 1 : 0;
            }
            sampleRows.add(new String[] {v.sample(), String.valueOf(v.reads()), t == null ? "" : t, v.predicted(),
                    t == null ? "" : ok ? "yes" : "**no**", v.votes()});
        }
        Summary summary = new Summary(reads.size(), withTruth, correct, votes.size(), scored, samplesCorrect);

        StringBuilder md = new StringBuilder();
        md.append("# dna-classify report\n\n");
        md.append("- inputs: ").append(inputs).append('\n');
        md.append("- model: ").append(model).append('\n');
        md.append(String.format(Locale.ROOT, "- reads classified: %d (%d bases) in %.1f s (%.0f bases/s end to end)%n",
                reads.size(), bases, seconds, bases / Math.max(seconds, 1e-9)));
        md.append("- samples: ").append(votes.size()).append('\n');
        md.append("- bad input records: ").append(bad.size()).append(bad.isEmpty() ? "" : " (see bad-input.tsv)").append("\n\n");
        md.append("## Accuracy\n\n");
        if (withTruth == 0) {
            md.append("No truth is known for these reads (no labels in the read names and no --truth file).\n\n");
        } else {
            md.append(String.format(Locale.ROOT, "- per read: **%.2f%%** (%d of %d reads with a known label)%n",
                    100.0 * summary.readAccuracy(), correct, withTruth));
            md.append(String.format(Locale.ROOT, "- per sample (samples of >= %d reads, majority vote): **%s** (%d of %d)%n%n",
                    MIN_SAMPLE_READS, scored == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100.0 * summary.sampleAccuracy()),
                    samplesCorrect, scored));
            md.append("| class | reads | correct | accuracy | predicted as this class | precision |\n|---|---:|---:|---:|---:|---:|\n");
            for (int i = 0; i < n; i++) {
                long row = 0;
                long col = 0;
                for (int j = 0; j < n; j++) {
                    row += confusion[i][j];
                    col += confusion[j][i];
                }
                if (row == 0 && col == 0) {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %d | %s |%n", labels.get(i), row, confusion[i][i],
                        row == 0 ? "-" : String.format(Locale.ROOT, "%.2f%%", 100.0 * confusion[i][i] / row), col,
                        col == 0 ? "-" : String.format(Locale.ROOT, "%.2f%%", 100.0 * confusion[i][i] / col)));
            }
            md.append("\nConfusion matrix (rows: true label, columns: predicted; also `confusion.png`):\n\n| true \\ predicted |");
            for (String l : labels) {
                md.append(' ').append(l).append(" |");
            }
            md.append("\n|---|").append("---:|".repeat(n)).append('\n');
            for (int i = 0; i < n; i++) {
                md.append("| ").append(labels.get(i)).append(" |");
                for (int j = 0; j < n; j++) {
                    md.append(' ').append(confusion[i][j]).append(" |");
                }
                md.append('\n');
            }
            md.append('\n');
        }
        md.append("## Samples\n\n| sample | reads | true label | predicted | correct | votes |\n|---|---:|---|---|---|---|\n");
        for (String[] r : sampleRows) {
            md.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        if (!bad.isEmpty()) {
            md.append("\n## Bad input\n\n");
            for (BadInput b : bad.subList(0, Math.min(20, bad.size()))) {
                md.append("- ").append(b.describe()).append('\n');
            }
        }
        Files.writeString(dir.resolve("report.md"), md.toString());
        try {
            writeConfusionPng(dir.resolve("confusion.png"), confusion);
        } catch (LinkageError | InternalError e) {
            // A server without font libraries (libfontmanager needs harfbuzz and freetype) draws no text:
            // the tables above hold the same numbers.
            System.err.println("dna-classify: confusion.png not drawn (" + e.getMessage() + ")");
        }
        return summary;
    }

    /** A heat map of the confusion matrix, each row normalised to its reads, with the counts written in. */
    private void writeConfusionPng(Path file, long[][] confusion) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int n = labels.size();
        int cell = 56;
        int left = 150;
        int top = 150;
        BufferedImage img = new BufferedImage(left + n * cell + 20, top + n * cell + 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.BLACK);
        g.drawString("true label (rows) vs predicted (columns)", left, 20);
        for (int i = 0; i < n; i++) {
            long row = 0;
            for (int j = 0; j < n; j++) {
                row += confusion[i][j];
            }
            g.setColor(Color.BLACK);
            g.drawString(labels.get(i), 8, top + i * cell + cell / 2 + 4);
            for (int j = 0; j < n; j++) {
                double f = row == 0 ? 0 : (double) confusion[i][j] / row;
                int shade = (int) Math.round(255 * (1 - f));
                g.setColor(i == j ? new Color(shade, shade, 255) : new Color(255, shade, shade));
                g.fillRect(left + j * cell, top + i * cell, cell - 1, cell - 1);
                g.setColor(f > 0.6 ? Color.WHITE : Color.BLACK);
                String s = String.valueOf(confusion[i][j]);
                g.drawString(s, left + j * cell + cell / 2 - g.getFontMetrics().stringWidth(s) / 2, top + i * cell + cell / 2 + 4);
            }
        }
        g.setColor(Color.BLACK);
        for (int j = 0; j < n; j++) {
            Graphics2D r = (Graphics2D) g.create();
            r.translate(left + j * cell + cell / 2 + 4, top - 8);
            r.rotate(-Math.PI / 2);
            r.drawString(labels.get(j), 0, 0);
            r.dispose();
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }
}
