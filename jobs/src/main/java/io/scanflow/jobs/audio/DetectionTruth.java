package io.scanflow.jobs.audio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The words known to be in long streams, for {@code audio-detect --truth}: tab-separated with the header
 * {@code stream start_s end_s label}, one row per spoken word (as {@code scripts/make-detection-streams.py}
 * writes it). The stream is the file name the job names its stream by.
 */
public final class DetectionTruth {
    /** One spoken word. */
    public record Event(String stream, double startSeconds, double endSeconds, String label) {}

    private static final List<String> COLUMNS = List.of("stream", "start_s", "end_s", "label");

    private DetectionTruth() {}

    /** The events of {@code file}; a bad row is an error naming the file, line and field. */
    public static List<Event> load(Path file, List<String> labels) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty() || !List.of(lines.get(0).split("\t", -1)).equals(COLUMNS)) {
            throw new IllegalArgumentException(file + ": line 1: expected the header " + String.join("<TAB>", COLUMNS));
        }
        List<Event> events = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) {
                continue;
            }
            String[] f = lines.get(n).split("\t", -1);
            String where = file + ": line " + (n + 1) + ": field ";
            if (f.length != COLUMNS.size()) {
                throw new IllegalArgumentException(where + COLUMNS.get(Math.min(f.length, COLUMNS.size() - 1))
                        + ": expected " + COLUMNS.size() + " fields, found " + f.length);
            }
            double start = seconds(where + "start_s", f[1]);
            double end = seconds(where + "end_s", f[2]);
            if (end <= start) {
                throw new IllegalArgumentException(where + "end_s: " + f[2] + " is not after start_s " + f[1]);
            }
            if (!labels.contains(f[3])) {
                throw new IllegalArgumentException(where + "label: '" + f[3] + "' is not one of the model's labels "
                        + labels);
            }
            events.add(new Event(f[0], start, end, f[3]));
        }
        return events;
    }

    private static double seconds(String where, String value) {
        try {
            double v = Double.parseDouble(value);
            if (v >= 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(where + ": '" + value + "' is not a time in seconds (>= 0)");
    }
}
