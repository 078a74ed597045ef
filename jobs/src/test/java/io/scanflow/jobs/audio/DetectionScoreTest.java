package io.scanflow.jobs.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.detect.Detection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectionScoreTest {
    static final List<String> LABELS = List.of("zero", "one", "two");

    @TempDir
    Path dir;

    static Detection detection(String stream, double start, double end, String label) {
        Detection d = new Detection();
        d.stream = stream;
        d.startSeconds = start;
        d.endSeconds = end;
        d.label = label;
        return d;
    }

    @Test
    void matchesEachWordAndEachDetectionAtMostOnceOnOverlappingTimes() {
        List<DetectionTruth.Event> truth = List.of(new DetectionTruth.Event("a.wav", 1.0, 1.5, "one"),
                new DetectionTruth.Event("a.wav", 3.0, 3.4, "two"), new DetectionTruth.Event("a.wav", 5.0, 5.5, "zero"),
                new DetectionTruth.Event("b.wav", 1.0, 1.5, "one"));
        List<Detection> found = List.of(
                detection("a.wav", 1.1, 1.4, "one"),   // right
                detection("a.wav", 1.4, 1.6, "one"),   // the same word again: no second match
                detection("a.wav", 3.1, 3.3, "zero"),  // found, wrong label
                detection("a.wav", 7.0, 7.3, "one"),   // nothing there
                detection("b.wav", 0.5, 1.0, "one"),   // ends where the word starts: no overlap
                detection("c.wav", 1.0, 1.5, "one"));  // a stream the truth does not name: not scored
        DetectionScore s = DetectionScore.of(found, truth);
        assertEquals(new DetectionScore(4, 5, 1, 2), s);
        assertEquals(0.2, s.precision(), 1e-12);
        assertEquals(0.25, s.recall(), 1e-12);
        assertEquals(0.4, s.detectionPrecision(), 1e-12);
        assertEquals(0.5, s.detectionRecall(), 1e-12);
    }

    @Test
    void theReportGivesBothScores() throws IOException {
        new DetectionScore(10, 8, 6, 8).write(dir, "m", "t.tsv");
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| labels and times | 6 | 0.750 | 0.600 |"), md);
        assertTrue(md.contains("| times only (detection) | 8 | 1.000 | 0.800 |"), md);
    }

    @Test
    void aBadTruthRowIsNamedByFileLineAndField() throws IOException {
        String header = "stream\tstart_s\tend_s\tlabel\n";
        assertProblem(header + "a.wav\t1.0\t1.5\tone\na.wav\tsoon\t2.0\tone\n", "line 3: field start_s: 'soon'");
        assertProblem(header + "a.wav\t1.0\t0.5\tone\n", "line 2: field end_s: 0.5 is not after start_s 1.0");
        assertProblem(header + "a.wav\t1.0\t1.5\tseven\n", "line 2: field label: 'seven' is not one of the model's labels");
        assertProblem(header + "a.wav\t1.0\t1.5\n", "line 2: field label: expected 4 fields, found 3");
        assertProblem("file\tdigit\n", "line 1: expected the header stream<TAB>start_s<TAB>end_s<TAB>label");
        Path good = dir.resolve("good.tsv");
        Files.writeString(good, header + "a.wav\t1.0\t1.5\tone\n\n");
        assertEquals(List.of(new DetectionTruth.Event("a.wav", 1.0, 1.5, "one")), DetectionTruth.load(good, LABELS));
    }

    private void assertProblem(String content, String expected) throws IOException {
        Path file = dir.resolve("truth.tsv");
        Files.writeString(file, content);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectionTruth.load(file, LABELS));
        assertTrue(e.getMessage().startsWith(file + ": " + expected), e.getMessage());
    }
}
