package io.scanflow.jobs.audio;

import io.scanflow.audio.detect.Detection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Precision and recall of detections against known words. A detection matches a word of its stream when
 * their times overlap and, for the labelled score, their labels agree; each word and each detection is
 * matched at most once (detections in order of start, each taking the earliest free word it matches).
 * The detection-only score ignores labels: how well the words were found, whatever they were called.
 *
 * @param events     known words in the scored streams
 * @param detections detections in the scored streams
 * @param matched    detections matched with labels agreeing
 * @param found      detections matched on time alone
 */
public record DetectionScore(int events, int detections, int matched, int found) {

    /** Scores the detections of the streams that {@code truth} names (streams it does not name are left out). */
    public static DetectionScore of(List<Detection> detections, List<DetectionTruth.Event> truth) {
        Set<String> streams = new TreeSet<>();
        truth.forEach(e -> streams.add(e.stream()));
        List<Detection> scored = detections.stream().filter(d -> streams.contains(d.stream)).toList();
        return new DetectionScore(truth.size(), scored.size(), matches(scored, truth, true), matches(scored, truth, false));
    }

    private static int matches(List<Detection> detections, List<DetectionTruth.Event> truth, boolean labels) {
        List<DetectionTruth.Event> free = new ArrayList<>(truth);
        int n = 0;
        List<Detection> inOrder = new ArrayList<>(detections);
        inOrder.sort((a, b) -> Double.compare(a.startSeconds, b.startSeconds));
        for (Detection d : inOrder) {
            DetectionTruth.Event best = null;
            for (DetectionTruth.Event e : free) {
                boolean overlaps = d.startSeconds < e.endSeconds() && e.startSeconds() < d.endSeconds;
                if (e.stream().equals(d.stream) && overlaps && (!labels || e.label().equals(d.label))
                        && (best == null || e.startSeconds() < best.startSeconds())) {
                    best = e;
                }
            }
            if (best != null) {
                free.remove(best);
                n++;
            }
        }
        return n;
    }

    public double precision() {
        return detections == 0 ? Double.NaN : (double) matched / detections;
    }

    public double recall() {
        return events == 0 ? Double.NaN : (double) matched / events;
    }

    public double detectionPrecision() {
        return detections == 0 ? Double.NaN : (double) found / detections;
    }

    public double detectionRecall() {
        return events == 0 ? Double.NaN : (double) found / events;
    }

    /** One line for the console. */
    public String summary() {
        return String.format(Locale.ROOT, "precision %.3f, recall %.3f (labels and times); detection only: precision"
                + " %.3f, recall %.3f (%d words, %d detections)", precision(), recall(), detectionPrecision(),
                detectionRecall(), events, detections);
    }

    /** Writes {@code report.md} into {@code out}. */
    public void write(Path out, String model, String truthFile) throws IOException {
        String md = "# audio-detect report\n\n"
                + "Model: `" + model + "`; truth: `" + truthFile + "`. A detection matches a known word of its stream"
                + " when their times overlap (and, with labels, the labels agree); each is matched at most once.\n\n"
                + "| score | matched | precision | recall |\n|---|---:|---:|---:|\n"
                + String.format(Locale.ROOT, "| labels and times | %d | %.3f | %.3f |%n", matched, precision(), recall())
                + String.format(Locale.ROOT, "| times only (detection) | %d | %.3f | %.3f |%n", found,
                        detectionPrecision(), detectionRecall())
                + "\n" + events + " known words, " + detections + " detections in the streams the truth file names.\n";
        Files.writeString(out.resolve("report.md"), md);
    }
}
