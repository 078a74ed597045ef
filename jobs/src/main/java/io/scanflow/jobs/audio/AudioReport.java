package io.scanflow.jobs.audio;

import io.scanflow.jobs.audio.AudioClassifyJob.StreamPrediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code audio-classify --truth}: scores the per-stream predictions against known labels and writes
 * {@code report.md} (accuracy, per-label recall and precision, the confusion matrix, the streams it got
 * wrong, streams without a label) and {@code confusion.png} ({@link ConfusionPicture}).
 */
public final class AudioReport {
    private final List<String> labels;
    private final long[][] confusion;
    private final List<String[]> wrong = new ArrayList<>();
    private final List<String> unlabelled = new ArrayList<>();
    private int scored;
    private int correct;

    public AudioReport(List<StreamPrediction> streams, AudioTruth truth, List<String> labels) {
        this.labels = labels;
        this.confusion = new long[labels.size()][labels.size()];
        for (StreamPrediction p : streams) {
            String t = truth.labelOf(p.stream());
            if (t == null) {
                unlabelled.add(p.stream());
                continue;
            }
            scored++;
            confusion[labels.indexOf(t)][labels.indexOf(p.predicted())]++;
            if (t.equals(p.predicted())) {
                correct++;
            } else {
                wrong.add(new String[] {p.stream(), t, p.predicted(), String.format(Locale.ROOT, "%.3f", p.probability())});
            }
        }
    }

    public int scored() {
        return scored;
    }

    public int correct() {
        return correct;
    }

    /** Writes report.md and confusion.png into {@code out}. */
    public void write(Path out, String model, String truthFile, int unreadable) throws IOException {
        StringBuilder md = new StringBuilder("# audio-classify report\n\n");
        md.append("- model: ").append(model).append('\n');
        md.append("- truth: ").append(truthFile).append('\n');
        md.append("- streams with a known label: ").append(scored).append(", without one: ").append(unlabelled.size())
                .append(", unreadable files: ").append(unreadable).append(unreadable > 0 ? " (errors.tsv)" : "").append("\n\n");
        md.append(String.format(Locale.ROOT, "**Accuracy: %s** (%d of %d streams)%n%n",
                scored == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100.0 * correct / scored), correct, scored));
        md.append("| label | streams | correct | recall | predicted as it | precision |\n|---|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < labels.size(); i++) {
            long truthCount = 0;
            long predictedCount = 0;
            for (int j = 0; j < labels.size(); j++) {
                truthCount += confusion[i][j];
                predictedCount += confusion[j][i];
            }
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %d | %s |%n", labels.get(i), truthCount,
                    confusion[i][i], percent(confusion[i][i], truthCount), predictedCount,
                    percent(confusion[i][i], predictedCount)));
        }
        md.append("\nConfusion matrix (rows: true label, columns: predicted; `confusion.png` draws it):\n\n|");
        for (String l : labels) {
            md.append(" | ").append(l);
        }
        md.append(" |\n|---|").append("---:|".repeat(labels.size())).append('\n');
        for (int i = 0; i < labels.size(); i++) {
            md.append("| **").append(labels.get(i)).append("**");
            for (long c : confusion[i]) {
                md.append(" | ").append(c == 0 ? "" : String.valueOf(c));
            }
            md.append(" |\n");
        }
        if (!wrong.isEmpty()) {
            md.append("\n## Wrong streams\n\n| stream | true | predicted | probability |\n|---|---|---|---:|\n");
            for (String[] w : wrong) {
                md.append("| ").append(String.join(" | ", w)).append(" |\n");
            }
        }
        if (!unlabelled.isEmpty()) {
            md.append("\n## Streams the truth file does not name\n\n");
            unlabelled.forEach(s -> md.append("- ").append(s).append('\n'));
        }
        Files.writeString(out.resolve("report.md"), md);
        ConfusionPicture.write(out.resolve("confusion.png"), labels, confusion);
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }
}
