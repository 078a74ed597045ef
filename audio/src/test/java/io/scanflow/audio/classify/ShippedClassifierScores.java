package io.scanflow.audio.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanflow.audio.TestPaths;
import io.scanflow.audio.io.AudioFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The shipped digit classifier on a committed, labelled set of clips (one window from the clip's start,
 * as a 1 s clip is one window in the job), counted per group, against the counts
 * {@code models/digit-classifier/metrics.json} quotes under {@value #FIELD}.
 *
 * <p>The counts must match exactly, except that a clip whose two most probable labels are within
 * {@value #NEAR_TIE} of each other may go either way: the CPU kernels' float rounding differs between SIMD
 * widths by about 1e-6, which can flip only such a clip.
 */
final class ShippedClassifierScores {
    static final String FIELD = "java_scored";
    static final double NEAR_TIE = 1e-4;

    /** Right answers, clips and near ties of one group. */
    record Count(int correct, int clips, int nearTies) {}

    private ShippedClassifierScores() {}

    /**
     * Scores every clip {@code labels} lists (tab-separated, header; file relative to {@code dir}, label in
     * column 2) and checks each group's count against metrics.json's {@code java_scored.<set>.<group>}.
     *
     * @param set   the set's path from the repository root, its key in metrics.json
     * @param group the group of a clip, from its file column
     */
    static Map<String, Count> assertQuotedCounts(String set, Path labels, Function<String, String> group) throws IOException {
        Path dir = TestPaths.testdata().resolveSibling(set);
        Path model = TestPaths.models().resolve("digit-classifier");
        List<String> lines = Files.readAllLines(labels);
        Map<String, int[]> counts = new TreeMap<>(); // group -> {correct, clips, near ties}
        try (AudioClassifier classifier = AudioClassifier.load(model)) {
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t");
                float[] p = classifier.classifyWindow(AudioFiles.readAll(dir.resolve(f[0]), classifier.sampleRate()), 0);
                int best = top(p, -1);
                int[] c = counts.computeIfAbsent(group.apply(f[0]), k -> new int[3]);
                c[0] += classifier.head().labels().get(best).equals(f[1]) ? 1 : 0;
                c[1]++;
                c[2] += p[best] - p[top(p, best)] < NEAR_TIE ? 1 : 0;
            }
        }
        Map<String, Count> result = new TreeMap<>();
        counts.forEach((k, c) -> result.put(k, new Count(c[0], c[1], c[2])));
        result.forEach((k, c) -> System.out.printf("%s, %s: %d/%d right, %d near ties%n", set, k, c.correct(), c.clips(),
                c.nearTies()));
        JsonNode quoted = new ObjectMapper().readTree(model.resolve("metrics.json").toFile()).path(FIELD).get(set);
        assertNotNull(quoted, "metrics.json has no " + FIELD + "." + set + " (the counts above, as docs/audio.md says)");
        assertEquals(quoted.size() - (quoted.has("command") ? 1 : 0), result.size(), set + ": groups");
        result.forEach((k, c) -> {
            JsonNode q = quoted.get(k);
            assertNotNull(q, set + ": metrics.json quotes no group " + k);
            assertEquals(q.get("clips").asInt(), c.clips(), set + ", " + k + ": clips");
            assertTrue(Math.abs(q.get("correct").asInt() - c.correct()) <= c.nearTies(), set + ", " + k + ": "
                    + c.correct() + " right, metrics.json quotes " + q.get("correct").asInt());
        });
        return result;
    }

    /** The most probable label other than {@code skip} (-1: none). */
    private static int top(float[] p, int skip) {
        int best = -1;
        for (int i = 0; i < p.length; i++) {
            if (i != skip && (best < 0 || p[i] > p[best])) {
                best = i;
            }
        }
        return best;
    }
}
