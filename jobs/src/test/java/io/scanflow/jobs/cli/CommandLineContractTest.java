package io.scanflow.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.testing.Fixture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The file formats and flags of `scanflow logits / generate / inspect` reproduce the HF fixtures. */
class CommandLineContractTest {
    static final java.util.List<String> FIXTURES = Fixture.ALL;

    @TempDir
    Path tmp;

    private int run(StringWriter out, StringWriter err, String... args) {
        picocli.CommandLine cli = ScanflowCommand.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private int run(String... args) {
        return run(new StringWriter(), new StringWriter(), args);
    }

    private static Path referenceOf(Fixture f, String file) {
        return Fixture.root().resolve("models").resolve(f.name.replace("-sharded", "")).resolve("reference").resolve(file);
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void logitsCommandReproducesTheFixture(String name) throws IOException {
        Fixture f = Fixture.load(name);
        Path out = tmp.resolve("logits.f32");
        assertEquals(0, run("logits", "--model", f.modelDir.toString(), "--tokens", referenceOf(f, "tokens.i32").toString(),
                "--batch", String.valueOf(f.batch), "--chunk", "7", "--threads", "2", "--out", out.toString()));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        float[] logits = new float[b.remaining() / 4];
        b.asFloatBuffer().get(logits);
        assertEquals(f.logits.length, logits.length, "float32 [B, L, V]");
        double err = Fixture.maxRelativeError(logits, 0, f.logits, 0, logits.length);
        assertTrue(err <= 1e-4, name + ": " + err);
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void greedyGenerateCommandReproducesTheFixture(String name) throws IOException {
        Fixture f = Fixture.load(name);
        Path out = tmp.resolve("greedy.i32");
        assertEquals(0, run("generate", "--model", f.modelDir.toString(), "--tokens", referenceOf(f, "prompt.i32").toString(),
                "--batch", String.valueOf(f.batch), "--max-new", String.valueOf(f.newTokens), "--greedy",
                "--out", out.toString()));
        assertArrayEquals(Fixture.ints(referenceOf(f, "greedy.i32")), Fixture.ints(out));
    }

    @Test
    void sampledGenerationIsReproducibleAndIndependentOfTheBatch() throws IOException {
        Fixture f = Fixture.load("mamba1-untied-bias");
        Path all = tmp.resolve("all.i32");
        String[] sampling = {"--temperature", "1.2", "--top-k", "20", "--top-p", "0.95", "--seed", "5"};
        assertEquals(0, run(concat(new String[] {"generate", "--model", f.modelDir.toString(), "--tokens",
                referenceOf(f, "prompt.i32").toString(), "--batch", "3", "--max-new", "12", "--out", all.toString()}, sampling)));
        Path again = tmp.resolve("again.i32");
        assertEquals(0, run(concat(new String[] {"generate", "--model", f.modelDir.toString(), "--tokens",
                referenceOf(f, "prompt.i32").toString(), "--batch", "3", "--max-new", "12", "--out", again.toString()}, sampling)));
        assertArrayEquals(Fixture.ints(all), Fixture.ints(again));
        int[] greedy = Fixture.ints(referenceOf(f, "greedy.i32"));
        int[] sampled = Fixture.ints(all);
        assertTrue(!java.util.Arrays.equals(java.util.Arrays.copyOf(greedy, 20), java.util.Arrays.copyOf(sampled, 20)),
                "temperature 1.2 sampling differs from greedy decoding");
    }

    @Test
    void inspectDescribesTheModel() {
        StringWriter out = new StringWriter();
        assertEquals(0, run(out, new StringWriter(), "inspect", "--model", Fixture.load("mamba1-tied-bf16").modelDir.toString()));
        String text = out.toString();
        assertTrue(text.contains("mamba (hugging-face layout)"), text);
        assertTrue(text.contains("BF16="), text);
        assertTrue(text.contains("state per key  1,408 floats"), text); // 2 layers x 64 channels x (8 + 4 - 1)
    }

    @Test
    void modelsAreNamedByPathOrUri() {
        Path dir = Fixture.load("mamba1-tied-bf16").modelDir.toAbsolutePath().normalize();
        StringWriter out = new StringWriter();
        assertEquals(0, run(out, new StringWriter(), "inspect", "--model", dir.toUri().toString()));
        assertTrue(out.toString().contains("state per key  1,408 floats"), out.toString());
        StringWriter err = new StringWriter();
        String unknown = "nofs://bucket/models/m";
        assertEquals(2, run(new StringWriter(), err, "inspect", "--model", unknown));
        assertTrue(err.toString().contains(unknown), err.toString());
    }

    @Test
    void inspectDescribesATransformerPsm() {
        StringWriter out = new StringWriter();
        Path model = Fixture.root().resolve("..").resolve("models").resolve("transformer-psm");
        assertEquals(0, run(out, new StringWriter(), "inspect", "--model", model.toString()));
        assertTrue(out.toString().contains("PSM chunk"), out.toString());
    }

    @Test
    void badInputFailsWithOneLineNamingTheProblem() throws IOException {
        Fixture f = Fixture.load("mamba1-tied");
        StringWriter err = new StringWriter();
        int code = run(new StringWriter(), err, "logits", "--model", f.modelDir.toString(), "--tokens",
                referenceOf(f, "tokens.i32").toString(), "--batch", "7", "--out", tmp.resolve("x").toString());
        assertEquals(1, code);
        assertTrue(err.toString().contains("is not int32 [7, L]"), err.toString());

        Path bad = tmp.resolve("bad.i32");
        Files.write(bad, new byte[] {1, 0, 0, 0, 99, 0, 0, 0});
        err = new StringWriter();
        assertEquals(1, run(new StringWriter(), err, "logits", "--model", f.modelDir.toString(), "--tokens", bad.toString(),
                "--batch", "1", "--out", tmp.resolve("x").toString()));
        assertTrue(err.toString().contains("record 0, position 1: token 99"), err.toString());

        assertEquals(2, run("logits", "--model", f.modelDir.toString()), "missing required options are usage errors");
    }

    @Test
    void anUnknownEngineOrBadRecordPolicyIsAUsageError() {
        for (String[] args : List.of(new String[] {"dna-classify", "--engine", "gpu"},
                new String[] {"dna-classify", "--bad-records", "ignore"},
                new String[] {"audio-generate", "--model", tmp.toString(), "--sessions", "1", "--seconds", "1",
                    "--engine", "gpu", "--out", tmp.resolve("g").toString()})) {
            StringWriter err = new StringWriter();
            assertEquals(2, run(new StringWriter(), err, args), String.join(" ", args) + ": " + err);
            assertTrue(err.toString().contains("must be"), err.toString());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
