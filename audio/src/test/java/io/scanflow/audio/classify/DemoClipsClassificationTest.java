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
import org.junit.jupiter.api.Test;

/** The shipped classifier on the shipped demo clips (held-out voices): decoding, features, model, head. */
class DemoClipsClassificationTest {

    @Test
    void shippedClassifierRecognisesTheDemoDigits() throws IOException {
        Path demo = TestPaths.demoDigits();
        List<String> lines = Files.readAllLines(TestPaths.demoLabels());
        int correct = 0;
        try (AudioClassifier classifier = AudioClassifier.load(TestPaths.models().resolve("digit-classifier"))) {
            assertEquals(16000, classifier.sampleRate());
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t");
                float[] samples = AudioFiles.readAll(demo.resolve(f[0]), classifier.sampleRate());
                float[] p = classifier.classifyWindow(samples, 0);
                if (classifier.head().labels().get(ClassificationHead.argmax(p)).equals(f[1])) {
                    correct++;
                }
            }
        }
        int total = lines.size() - 1;
        assertEquals(30, total);
        System.out.println("demo clips: " + correct + "/" + total + " correct");
        assertTrue(correct >= 24, "demo accuracy " + correct + "/" + total);
    }
}
