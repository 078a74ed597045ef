package io.scanflow.jobs.dna;

import io.scanflow.model.io.BadInput;
import java.util.List;
import java.util.Locale;

/** {@code report.md}: provenance, counts, accuracy where the truth is known, and every sample's composition. */
final class ReportMarkdown {
    private final List<String> labels;
    private final ReportSettings settings;
    private final List<BadInput> bad;

    ReportMarkdown(List<String> labels, ReportSettings settings, List<BadInput> bad) {
        this.labels = labels;
        this.settings = settings;
        this.bad = bad;
    }

    String render(String inputs, double seconds, List<Call> calls, List<SampleComposition> samples,
                  ClassificationReport.Scores scores, ClassificationReport.Summary summary) {
        StringBuilder md = new StringBuilder();
        md.append("> ").append(settings.provenance().line()).append("\n\n");
        md.append("# dna-classify report\n\n");
        md.append("- inputs: ").append(inputs).append('\n');
        md.append("- model: ").append(settings.provenance().model()).append(" (sha256 ").append(settings.provenance().modelSha256())
                .append(")\n");
        long bases = calls.stream().mapToLong(Call::bases).sum();
        md.append(String.format(Locale.ROOT, "- reads classified: %d (%d bases) in %.1f s (%.0f bases/s end to end); %d fragments"
                + " (mates of a pair count once)%n", summary.reads(), bases, seconds, bases / Math.max(seconds, 1e-9), summary.fragments()));
        md.append(String.format(Locale.ROOT, "- unclassified (probability below %.2f): %d of %d fragments (%s)%n",
                settings.minProbability(), summary.unclassified(), summary.fragments(), percent(summary.unclassified(), summary.fragments())));
        md.append("- samples: ").append(summary.samples()).append(String.format(Locale.ROOT,
                "; mixtures (two or more species of >= %.0f%% each): %d%n", 100 * settings.mixtureFraction(), summary.mixtures()));
        md.append("- bad input records: ").append(bad.size()).append(bad.isEmpty() ? "" : " (see bad-input.tsv)").append("\n\n");
        accuracy(md, scores, summary);
        md.append("## Samples\n\n| sample | fragments | true label | predicted | fraction | mixture | composition |\n"
                + "|---|---:|---|---|---:|---|---|\n");
        for (SampleComposition s : samples) {
            String t = scores.truthOf(s.sample());
            md.append("| ").append(String.join(" | ", s.sample(), String.valueOf(s.fragments()), t == null ? "" : t,
                    t == null || t.equals(s.predicted()) ? s.predicted() : "**" + s.predicted() + "**",
                    String.format(Locale.ROOT, "%.3f", s.fraction(s.predicted())),
                    s.mixture(settings.mixtureFraction()) ? "**yes**" : "no", s.composition())).append(" |\n");
        }
        if (!bad.isEmpty()) {
            md.append("\n## Bad input\n\n");
            for (BadInput b : bad.subList(0, Math.min(20, bad.size()))) {
                md.append("- ").append(b.describe()).append(" (records lost: ").append(b.lostText()).append(")\n");
            }
        }
        return md.toString();
    }

    private void accuracy(StringBuilder md, ClassificationReport.Scores scores, ClassificationReport.Summary summary) {
        md.append("## Accuracy\n\n");
        if (summary.readsWithTruth() == 0) {
            md.append("No truth is known for these reads (no labels in the read names and no --truth file);"
                    + " composition.png shows each sample's composition.\n\n");
            return;
        }
        long[][] confusion = scores.confusion();
        int unclassifiedColumn = labels.size();
        long unclassified = 0;
        for (long[] row : confusion) {
            unclassified += row[unclassifiedColumn];
        }
        long classified = summary.readsWithTruth() - unclassified;
        md.append(String.format(Locale.ROOT, "- per fragment: **%s** (%d of %d fragments with a known label called right;"
                + " %d unclassified)%n", percent(summary.correct(), summary.readsWithTruth()), summary.correct(),
                summary.readsWithTruth(), unclassified));
        md.append(String.format(Locale.ROOT, "- of the classified fragments: %s right (%d of %d)%n",
                percent(summary.correct(), classified), summary.correct(), classified));
        md.append(String.format(Locale.ROOT, "- per sample (samples whose truth is given, of >= %d fragments, most frequent call):"
                + " **%s** (%d of %d)%n%n", ClassificationReport.MIN_SAMPLE_READS,
                summary.samplesScored() == 0 ? "n/a" : percent(summary.samplesCorrect(), summary.samplesScored()),
                summary.samplesCorrect(), summary.samplesScored()));
        md.append("| class | fragments | correct | unclassified | accuracy | called this class | precision |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < labels.size(); i++) {
            long row = 0;
            long col = 0;
            for (int j = 0; j < labels.size(); j++) {
                row += confusion[i][j];
                col += confusion[j][i];
            }
            row += confusion[i][unclassifiedColumn];
            if (row == 0 && col == 0) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %d | %s |%n", labels.get(i), row, confusion[i][i],
                    confusion[i][unclassifiedColumn], row == 0 ? "-" : percent(confusion[i][i], row), col,
                    col == 0 ? "-" : percent(confusion[i][i], col)));
        }
        md.append("\nConfusion matrix (rows: true label, columns: call; also `confusion.png`):\n\n| true \\ called |");
        for (String c : scores.columns()) {
            md.append(' ').append(c).append(" |");
        }
        md.append("\n|---|").append("---:|".repeat(scores.columns().size())).append('\n');
        for (int i = 0; i < labels.size(); i++) {
            md.append("| ").append(labels.get(i)).append(" |");
            for (long x : confusion[i]) {
                md.append(' ').append(x).append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100.0 * part / whole);
    }
}
