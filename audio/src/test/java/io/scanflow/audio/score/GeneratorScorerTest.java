package io.scanflow.audio.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.TestPaths;
import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator's score and its unigram baselines, against computations written out here. */
class GeneratorScorerTest {
    private static final Path GENERATOR = TestPaths.models().resolve("mulaw-generator");

    @Test
    void scoreIsTheNextSampleLogLossOfAOneSampleAtATimeReading() {
        int[] clip = Arrays.copyOf(SpeechTokens.read(TestPaths.demoDigits().resolve("seven_en-029-aunty_p71_s203.wav"),
                8000), 2500);
        SequenceModel model = CpuEngine.loadModel(GENERATOR);
        double stepNats = 0;
        try (CpuEngine engine = new CpuEngine(model, 1, 1)) {
            int slot = engine.openSlot();
            float[] logits = new float[256];
            for (int i = 0; i + 1 < clip.length; i++) {
                engine.step(new int[] {slot}, new int[] {clip[i]}, 1, Output.LAST_LOGITS, logits);
                double max = Double.NEGATIVE_INFINITY;
                double sum = 0;
                for (float l : logits) {
                    max = Math.max(max, l);
                }
                for (float l : logits) {
                    sum += Math.exp(l - max);
                }
                stepNats += max + Math.log(sum) - logits[clip[i + 1]];
            }
        }
        double stepBits = stepNats / (clip.length - 1) / Math.log(2);
        // Chunks of 1,000 positions: the clip crosses two chunk borders, where the state is carried.
        try (CpuEngine engine = new CpuEngine(model, 2, 1000)) {
            GeneratorScore score = new GeneratorScorer(engine, 8000, 1000).scoreClips(List.of(clip), Optional.empty());
            assertEquals(clip.length - 1, score.samples());
            assertEquals(stepBits, score.modelBits(), 1e-5, "prefill in chunks vs one sample at a time");
        }
    }

    @Test
    void trailingSilenceIsDroppedDownToAFloorOfSamples() {
        int[] loudThenSilent = new int[8000];
        Arrays.fill(loudThenSilent, 0, 1500, 200);
        Arrays.fill(loudThenSilent, 1500, 8000, 129); // |2 * 129 - 255| = 3: silence
        loudThenSilent[1800] = 130; // |2 * 130 - 255| = 5: loud
        assertEquals(1801, SpeechTokens.trimTrailingSilence(loudThenSilent).length);
        int[] shortWord = new int[8000];
        Arrays.fill(shortWord, 127);
        shortWord[10] = 0;
        assertEquals(SpeechTokens.MIN_SAMPLES, SpeechTokens.trimTrailingSilence(shortWord).length);
        assertArrayEquals(new int[] {127, 128}, SpeechTokens.trimTrailingSilence(new int[] {127, 128}));
    }

    @Test
    void unigramBaselines() {
        LevelHistogram uniform = new LevelHistogram();
        for (int level = 0; level < 256; level++) {
            uniform.add(level);
        }
        assertEquals(8.0, uniform.entropyBits(), 1e-12);
        LevelHistogram twoLevels = new LevelHistogram();
        twoLevels.add(3);
        twoLevels.add(3);
        twoLevels.add(9);
        twoLevels.add(9);
        assertEquals(1.0, twoLevels.entropyBits(), 1e-12);
        long[] train = new long[256];
        train[3] = 254; // add-one smoothed: p(3) = 255 / 510, p(9) = 1 / 510
        double expected = -(2 * Math.log(255.0 / 510) + 2 * Math.log(1.0 / 510)) / 4 / Math.log(2);
        assertEquals(expected, twoLevels.crossEntropyBits(train), 1e-12);
    }

    @Test
    void trainingCountsComeFromMetricsJsonOrAreNamedAsBad(@TempDir Path dir) throws IOException {
        assertTrue(GeneratorScorer.trainCounts(dir).isEmpty());
        Files.writeString(dir.resolve("metrics.json"), "{\"steps\": 3}");
        assertTrue(GeneratorScorer.trainCounts(dir).isEmpty());
        long[] counts = new long[256];
        counts[7] = 5;
        Files.writeString(dir.resolve("metrics.json"), "{\"train_level_counts\": " + Arrays.toString(counts) + "}");
        assertArrayEquals(counts, GeneratorScorer.trainCounts(dir).orElseThrow());
        Files.writeString(dir.resolve("metrics.json"), "{\"train_level_counts\": [1, 2]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GeneratorScorer.trainCounts(dir));
        assertTrue(e.getMessage().contains("metrics.json") && e.getMessage().contains("train_level_counts"), e.getMessage());
        counts[9] = -1;
        Files.writeString(dir.resolve("metrics.json"), "{\"train_level_counts\": " + Arrays.toString(counts) + "}");
        e = assertThrows(IllegalArgumentException.class, () -> GeneratorScorer.trainCounts(dir));
        assertTrue(e.getMessage().contains("train_level_counts[9]"), e.getMessage());
    }

    @Test
    void foldersGiveTheirWavFilesRecursivelyInPathOrder(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("b"));
        Files.createDirectories(dir.resolve("a"));
        Files.writeString(dir.resolve("b/x.wav"), "");
        Files.writeString(dir.resolve("a/y.WAV"), "");
        Files.writeString(dir.resolve("a/.hidden.wav"), "");
        Files.writeString(dir.resolve("labels.tsv"), "");
        assertEquals(List.of(dir.resolve("a/y.WAV"), dir.resolve("b/x.wav")), GeneratorScorer.files(List.of(dir)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GeneratorScorer.files(List.of(dir.resolve("missing"))));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }
}
