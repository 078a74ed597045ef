package io.scanflow.jobs.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.score.GeneratorScore;
import io.scanflow.audio.score.GeneratorScorer;
import io.scanflow.jobs.corpus.Cli;
import io.scanflow.kernels.cpu.CpuEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scanflow audio-score}: what it prints, and its errors. */
class AudioScoreCommandTest {
    private static final Path GENERATOR = AudioJobsTest.MODELS.resolve("mulaw-generator");
    private static final Path CLIP = AudioJobsTest.TESTDATA.resolve("audio/digits/seven_en-029-aunty_p71_s203.wav");

    @Test
    void printsTheGeneratorsBitsPerSampleNextToTheUnigram() {
        Cli.Run r = Cli.run("audio-score", "--model", GENERATOR.toString(), "--engine", "cpu", "--threads", "1",
                "--input", CLIP.toString());
        assertEquals(0, r.code(), r.err());
        GeneratorScore expected;
        try (CpuEngine engine = new CpuEngine(CpuEngine.loadModel(GENERATOR), 1, 2048)) {
            expected = new GeneratorScorer(engine, 8000, 2048).score(List.of(CLIP), Optional.empty());
        }
        assertTrue(r.out().matches("(?s).*clips +1\n.*"), r.out());
        assertTrue(r.out().contains(String.format(Locale.ROOT, "%,d (", expected.samples())), r.out());
        assertTrue(r.out().contains(String.format(Locale.ROOT, "generator                 %.4f bits/sample",
                expected.modelBits())), r.out());
        assertTrue(r.out().contains(String.format(Locale.ROOT, "unigram, own levels       %.4f bits/sample",
                expected.ownUnigramBits())), r.out());
        assertTrue(r.out().contains("unigram, training levels  - (metrics.json has no train_level_counts)"), r.out());
    }

    @Test
    void badInputsAreNamed(@TempDir Path dir) throws IOException {
        Cli.Run missing = Cli.run("audio-score", "--model", GENERATOR.toString(), "--input", dir.resolve("nope.wav").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope.wav: no such file or folder"), missing.err());
        Files.writeString(dir.resolve("notes.txt"), "not audio");
        Cli.Run empty = Cli.run("audio-score", "--model", GENERATOR.toString(), "--input", dir.toString());
        assertEquals(1, empty.code());
        assertTrue(empty.err().contains("no .wav files"), empty.err());
        Cli.Run classifier = Cli.run("audio-score", "--model", AudioJobsTest.MODELS.resolve("digit-classifier").toString(),
                "--input", CLIP.toString());
        assertEquals(1, classifier.code());
        assertTrue(classifier.err().contains("no audio.json"), classifier.err());
    }
}
