package io.scanflow.jobs.cli;

import static io.scanflow.jobs.corpus.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.jobs.corpus.Cli;
import io.scanflow.model.testing.Fixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command's surface: help and common options everywhere, version, models, the config file's rules. */
class CommandLineTest {
    @TempDir
    Path tmp;

    @Test
    void everySubcommandHasHelpAndTheCommonOptions() {
        picocli.CommandLine cli = ScanflowCommand.newCommandLine();
        for (String name : cli.getSubcommands().keySet()) {
            Cli.Run r = run(name, "--help");
            assertEquals(0, r.code(), name + ": " + r.err());
            if (!name.equals("help")) {
                assertTrue(r.out().contains("--config=FILE.yaml") && r.out().contains("--verbose"), name + ":\n" + r.out());
            }
        }
        Cli.Run top = run("--help");
        assertTrue(top.out().contains("stream-generate") && top.out().contains("Exit codes"), top.out());
    }

    @Test
    void versionNamesScanflowFlinkAndJava() {
        Cli.Run r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("scanflow "), r.out());
        assertTrue(r.out().contains("Flink 2.2."), r.out());
        assertTrue(r.out().matches("(?s).*Java \\d+.*"), r.out());
    }

    @Test
    void theJobJarMainThrowsInsteadOfExiting() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ScanflowJob.main(new String[] {"inspect", "--model", tmp.resolve("missing").toString()}));
        assertTrue(e.getMessage().contains("ended with exit code 1"), e.getMessage());
    }

    @Test
    void modelsListsTheShippedModelsWithTheirTaskAndSize() {
        Cli.Run r = run("models", "--dir", Fixture.root().resolve("models").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test fixtures"), r.out());
        assertTrue(r.out().matches("(?s).*mamba1-tied +next token \\(test fixture\\) +mamba 2x32, vocab 50 +18\\.5k +74\\.2 KiB.*"),
                r.out());
        assertTrue(r.out().contains("mamba2-groups-sharded"), r.out());
    }

    @Test
    void theShippedModelsShowTheTaskAndAccuracyTheirTrainingRecorded() {
        Path shipped = Path.of(System.getProperty("scanflow.testdata")).getParent().resolve("models");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shipped), "no shipped models in this checkout");
        Cli.Run r = run("models", "--dir", shipped.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(!r.out().contains("unreadable"), r.out());
        // Every classifier shows its classes and a measured accuracy.
        assertTrue(r.out().matches("(?s).*classification \\(\\d+ classes\\).*\\d+\\.\\d%.*"), r.out());
        // The audio models show their figures on committed held-out clips (metrics.json's java_scored).
        assertTrue(r.out().matches("(?s).*digit-classifier .*\\d+\\.\\d% of 240 clips of audio/heldout-festival"
                + " \\(clean \\d+\\.\\d%\\).*"), r.out());
        assertTrue(r.out().matches("(?s).*mulaw-generator .*\\d\\.\\d\\d bits/sample \\(unigram \\d\\.\\d\\d\\) on \\d+ clips"
                + " of audio/heldout-festival/clean.*"), r.out());
    }

    @Test
    void aModelCardGivesTaskAndAccuracy() throws IOException {
        Path models = tmp.resolve("models");
        Path copy = models.resolve("tiny-dna");
        Files.createDirectories(copy);
        Path source = Fixture.root().resolve("models").resolve("mamba1-tied");
        Files.copy(source.resolve("config.json"), copy.resolve("config.json"));
        Files.copy(source.resolve("model.safetensors"), copy.resolve("model.safetensors"));
        Files.writeString(copy.resolve(ModelsCommand.CARD), "{\"task\": \"promoter classification\", \"accuracy\": \"0.91 (held out)\"}");
        Cli.Run r = run("models", "--dir", models.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("promoter classification") && r.out().contains("0.91 (held out)"), r.out());
    }

    @Test
    void theConfigFileSetsAnyOptionAndTheCommandLineWins() throws IOException {
        Path tied = Fixture.load("mamba1-tied").modelDir;
        Path untied = Fixture.load("mamba1-untied-bias").modelDir;
        Path bf16 = Fixture.load("mamba1-tied-bf16").modelDir;
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, "model: " + tied + "\n");
        assertTrue(run("inspect", "--config", config.toString()).out().contains("vocabulary     50"));

        Files.writeString(config, "model: " + tied + "\ninspect:\n  model: " + untied + "\n");
        assertTrue(run("inspect", "--config", config.toString()).out().contains("vocabulary     37"),
                "a subcommand's section wins over the top level");
        Cli.Run explicit = run("inspect", "--config", config.toString(), "--model", bf16.toString());
        assertTrue(explicit.out().contains("BF16="), "the command line wins over the file");
    }

    @Test
    void samplingOptionsFromTheConfigFileSampleAsOnTheCommandLine() throws IOException {
        Fixture f = Fixture.load("mamba1-untied-bias");
        Path prompts = Fixture.root().resolve("models").resolve(f.name).resolve("reference").resolve("prompt.i32");
        String[] common = {"generate", "--model", f.modelDir.toString(), "--tokens", prompts.toString(),
                "--batch", String.valueOf(f.batch), "--max-new", "12"};
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, "generate:\n  temperature: 2.0\n  top-k: 10\n  seed: 3\n");
        Path fromFile = tmp.resolve("file.i32");
        assertEquals(0, run(concat(common, "--config", config.toString(), "--out", fromFile.toString())).code());
        Path fromFlags = tmp.resolve("flags.i32");
        assertEquals(0, run(concat(common, "--temperature", "2.0", "--top-k", "10", "--seed", "3", "--out",
                fromFlags.toString())).code());
        org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(fromFlags), Files.readAllBytes(fromFile));
        Path greedy = tmp.resolve("greedy.i32");
        assertEquals(0, run(concat(common, "--out", greedy.toString())).code());
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(greedy), Files.readAllBytes(fromFile)), "the file's sampling applied");

        Cli.Run both = run(concat(common, "--greedy", "--temperature", "1", "--out", greedy.toString()));
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--greedy and --temperature exclude each other"), both.err());
        Cli.Run alone = run(concat(common, "--top-k", "3", "--out", greedy.toString()));
        assertEquals(2, alone.code());
        assertTrue(alone.err().contains("need --temperature"), alone.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void aConfigFileMistakeIsAUsageError() throws IOException {
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, "paralelism: 2\n");
        Cli.Run typo = run("inspect", "--config", config.toString(), "--model", "x");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("'paralelism' is not an option of any scanflow subcommand"), typo.err());

        Files.writeString(config, "inspect:\n  max-new: 3\n");
        Cli.Run wrong = run("inspect", "--config", config.toString(), "--model", "x");
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("'max-new' is not an option of inspect"), wrong.err());

        Cli.Run missing = run("inspect", "--config", tmp.resolve("none.yaml").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("none.yaml: no such file"), missing.err());

        Files.writeString(config, "model: [a, b\n");
        Cli.Run broken = run("inspect", "--config", config.toString());
        assertEquals(2, broken.code());
        assertTrue(broken.err().contains("not valid YAML"), broken.err());
    }

    @Test
    void aBadCudaChoiceIsAUsageErrorOnEveryBackend() {
        Path model = Fixture.root().resolve("models").resolve("mamba1-tied");
        Path tokens = model.resolve("reference").resolve("tokens.i32");
        Cli.Run bad = run("logits", "--model", model.toString(), "--tokens", tokens.toString(), "--batch", "1",
                "--engine", "cpu", "--cuda", "gemm=fast", "--out", tmp.resolve("l.f32").toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--cuda: CUDA option gemm: 'fast' is not valid (expected one of ffma, tf32x3)"),
                bad.err());
        Cli.Run good = run("logits", "--model", model.toString(), "--tokens", tokens.toString(), "--batch", "1",
                "--engine", "cpu", "--cuda", "gemm=ffma,scan=sequential", "--out", tmp.resolve("l.f32").toString());
        assertEquals(0, good.code(), good.err());
    }

    @Test
    void theConfigFileSetsCudaChoices() throws IOException {
        Path model = Fixture.root().resolve("models").resolve("mamba1-tied");
        Path tokens = model.resolve("reference").resolve("tokens.i32");
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, "cuda: gemm=ffma,generate-kernel=fast\n");
        Cli.Run bad = run("logits", "--config", config.toString(), "--model", model.toString(), "--tokens",
                tokens.toString(), "--batch", "1", "--engine", "cpu", "--out", tmp.resolve("l.f32").toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("CUDA option generate-kernel: 'fast'"), bad.err());
    }
}
