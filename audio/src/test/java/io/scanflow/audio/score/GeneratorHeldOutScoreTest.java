package io.scanflow.audio.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanflow.audio.TestPaths;
import io.scanflow.kernels.cpu.CpuEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Recomputes the figures {@code models/mulaw-generator/metrics.json} quotes under {@code "java_scored"} (and
 * docs/audio.md with them) on committed held-out audio, with the Java engine, as {@code scanflow
 * audio-score} computes them: the clip and sample counts exactly, the generator's bits per sample within
 * {@value #MODEL_BITS_TOLERANCE} (the CPU kernels' float rounding differs between SIMD widths and thread
 * counts; the scalar and the SIMD kernels agree to 1e-6 bits here, while any change to the model, the
 * decoding or the mu-law coding moves the figure by far more), the unigram baselines, sums of integer
 * counts, within 1e-9.
 */
class GeneratorHeldOutScoreTest {
    static final double MODEL_BITS_TOLERANCE = 1e-3;
    static final double UNIGRAM_BITS_TOLERANCE = 1e-9;
    private static final Path GENERATOR = TestPaths.models().resolve("mulaw-generator");

    /** Held-out voices of the synthesizer the generator was trained on (espeak-ng): the 30 demo clips. */
    @Test
    void demoClipsOfHeldOutVoices() throws IOException {
        assertQuotedScore("testdata/audio/digits");
    }

    /** Clean clips of festival, a synthesizer no training clip came from. */
    @Test
    void cleanClipsOfAnUnseenSynthesizer() throws IOException {
        assertQuotedScore("testdata/audio/heldout-festival/clean");
    }

    private static void assertQuotedScore(String set) throws IOException {
        int rate = new ObjectMapper().readTree(GENERATOR.resolve("audio.json").toFile()).get("sample_rate").asInt();
        List<Path> files = GeneratorScorer.files(List.of(TestPaths.testdata().resolveSibling(set)));
        GeneratorScore score;
        try (CpuEngine engine = new CpuEngine(CpuEngine.loadModel(GENERATOR), 2, 2048)) {
            score = new GeneratorScorer(engine, rate, 2048).score(files, GeneratorScorer.trainCounts(GENERATOR));
        }
        System.out.printf("%s: %d clips, %d samples, generator %s bits/sample, unigram own levels %s, training"
                + " levels %s%n", set, score.clips(), score.samples(), score.modelBits(), score.ownUnigramBits(),
                score.trainUnigramBits());
        JsonNode quoted = new ObjectMapper().readTree(GENERATOR.resolve("metrics.json").toFile()).path("java_scored").get(set);
        assertNotNull(quoted, "metrics.json has no java_scored." + set + " (the figures above, as docs/audio.md says)");
        assertEquals(quoted.get("clips").asInt(), score.clips(), set + ": clips");
        assertEquals(quoted.get("samples").asLong(), score.samples(), set + ": samples");
        assertEquals(quoted.get("bits_per_sample").asDouble(), score.modelBits(), MODEL_BITS_TOLERANCE, set + ": generator");
        assertEquals(quoted.get("own_unigram_bits_per_sample").asDouble(), score.ownUnigramBits(), UNIGRAM_BITS_TOLERANCE,
                set + ": unigram fitted on the scored samples");
        if (score.hasTrainUnigram()) {
            assertEquals(quoted.get("train_unigram_bits_per_sample").asDouble(), score.trainUnigramBits(),
                    UNIGRAM_BITS_TOLERANCE, set + ": unigram of the training levels");
        }
    }
}
