package io.scanflow.audio.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.TestPaths;
import io.scanflow.audio.io.AudioFiles;
import io.scanflow.model.head.ClassificationHead;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The shipped classifier's accuracy on the committed held-out set: 240 clips of festival (kal and ked
 * diphones, the slt HTS voice), a synthesizer the classifier never heard in training, at 8 kHz (resampled to
 * the model's 16 kHz as a job would), 60 clean and 60 each with white, pink or babble noise at 20, 10 and
 * 5 dB SNR. The bars are a little under what the shipped model scores (54, 44, 35 and 33 of 60 clean, at 20,
 * 10 and 5 dB; 166 of 240; docs/audio.md), and far above the previous classifier's 41 of 240 (22 of 60 clean,
 * 6 of 60 at 10 dB). They are not the goals (95% clean, 90% at 10 dB), which this model misses.
 */
class HeldOutSynthesizerAccuracyTest {
    static final double MIN_CLEAN = 0.85;
    static final double MIN_10_DB = 0.50;
    static final double MIN_ALL = 0.65;

    @Test
    void shippedClassifierRecognisesAnUnseenSynthesizerCleanAndInNoise() throws IOException {
        Path dir = TestPaths.heldOutFestival();
        List<String> lines = Files.readAllLines(dir.resolve("labels.tsv"));
        Map<String, int[]> byCondition = new TreeMap<>(); // folder (clean, 20, 10, 5) -> {correct, clips}
        try (AudioClassifier classifier = AudioClassifier.load(TestPaths.models().resolve("digit-classifier"))) {
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t");
                float[] samples = AudioFiles.readAll(dir.resolve(f[0]), classifier.sampleRate());
                String predicted = classifier.head().labels().get(ClassificationHead.argmax(classifier.classifyWindow(samples, 0)));
                int[] c = byCondition.computeIfAbsent(f[0].substring(0, f[0].indexOf('/')), k -> new int[2]);
                c[0] += predicted.equals(f[1]) ? 1 : 0;
                c[1]++;
            }
        }
        int correct = byCondition.values().stream().mapToInt(c -> c[0]).sum();
        int total = byCondition.values().stream().mapToInt(c -> c[1]).sum();
        assertEquals(240, total);
        byCondition.forEach((k, c) -> System.out.println("held-out festival, " + k + ": " + c[0] + "/" + c[1]));
        System.out.println("held-out festival, all: " + correct + "/" + total);
        assertTrue(accuracy(byCondition.get("clean")) >= MIN_CLEAN, "clean " + accuracy(byCondition.get("clean")));
        assertTrue(accuracy(byCondition.get("10")) >= MIN_10_DB, "10 dB " + accuracy(byCondition.get("10")));
        assertTrue((double) correct / total >= MIN_ALL, "all " + correct + "/" + total);
    }

    private static double accuracy(int[] c) {
        return (double) c[0] / c[1];
    }
}
