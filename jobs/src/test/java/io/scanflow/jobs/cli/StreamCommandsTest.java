package io.scanflow.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.jobs.corpus.Cli;
import io.scanflow.jobs.corpus.Cli.Run;
import io.scanflow.model.testing.Fixture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stream-generate} and {@code stream-classify} on embedded Flink: the results reproduce the HF
 * fixtures and the in-process commands, do not depend on parallelism or bundling, and every output
 * arrives exactly once.
 */
class StreamCommandsTest {
    /** Short checkpoints: a finite run ends at the first checkpoint after its last output. */
    static final String[] FAST = {"--checkpoint-interval", "200ms", "--progress", "off"};

    @TempDir
    Path tmp;

    static String[] args(String[] a, String... more) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(more));
        for (int i = 0; i < FAST.length; i += 2) {
            if (!all.contains(FAST[i])) {
                all.add(FAST[i]);
                all.add(FAST[i + 1]);
            }
        }
        return all.toArray(String[]::new);
    }

    static Path reference(Fixture f, String file) {
        return Fixture.root().resolve("models").resolve(f.name).resolve("reference").resolve(file);
    }

    @Test
    void greedyStreamGenerationReproducesTheFixtureWithOptionsFromAConfigFile() throws IOException {
        Fixture f = Fixture.load("mamba1-tied");
        Path config = tmp.resolve("scanflow.yaml");
        Files.writeString(config, String.join("\n",
                "model: " + f.modelDir,
                "engine: cpu",
                "stream-generate:",
                "  batch: " + f.batch,
                "  max-new: " + f.newTokens,
                "  greedy: true",
                "flink:",
                "  parallelism.default: 1",
                ""));
        Path out = tmp.resolve("greedy");
        Run r = Cli.run(args(new String[] {"stream-generate", "--config", config.toString(),
                "--tokens", reference(f, "prompt.i32").toString(), "--out", out.toString()}));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Fixture.ints(reference(f, "greedy.i32")), Fixture.ints(out.resolve("tokens.i32")));
        assertTrue(r.out().contains("generated tokens  " + f.batch * f.newTokens), r.out());
        assertTrue(r.out().matches("(?s).*engine\\s+cpu \\(1 subtask\\).*"), r.out());
        assertTrue(r.out().matches("(?s).*parallelism\\s+1\n.*"), "the flink: section sets the parallelism\n" + r.out());
    }

    @Test
    void sampledStreamGenerationDoesNotDependOnParallelismBundlingOrRounds() throws IOException {
        Fixture f = Fixture.load("mamba1-untied-bias");
        String[] common = {"stream-generate", "--model", f.modelDir.toString(), "--tokens",
                reference(f, "prompt.i32").toString(), "--batch", String.valueOf(f.batch), "--max-new", "12",
                "--temperature", "1.2", "--top-k", "20", "--top-p", "0.95", "--seed", "5"};
        Path one = tmp.resolve("one");
        Run r1 = Cli.run(args(common, "--out", one.toString(), "--parallelism", "1", "--bundle-size", "1"));
        assertEquals(0, r1.code(), r1.err());
        Path two = tmp.resolve("two");
        Files.createDirectories(two.resolve("parts"));
        Files.writeString(two.resolve("parts").resolve("part-stale.tsv"), "0\t0\t0\t0\t0\tfalse\n");
        Run refused = Cli.run(args(common, "--out", two.toString()));
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("is not empty; choose a new folder or add --overwrite"), refused.err());
        Run r2 = Cli.run(args(common, "--out", two.toString(), "--overwrite", "--parallelism", "2", "--bundle-size", "64",
                "--tokens-per-round", "5"));
        assertEquals(0, r2.code(), r2.err());
        assertArrayEquals(Files.readAllBytes(one.resolve("tokens.i32")), Files.readAllBytes(two.resolve("tokens.i32")));
        int[] greedy = Fixture.ints(reference(f, "greedy.i32"));
        int[] sampled = Fixture.ints(one.resolve("tokens.i32"));
        assertEquals(f.batch * (f.promptLength + 12), sampled.length);
        assertTrue(!java.util.Arrays.equals(java.util.Arrays.copyOf(greedy, f.promptLength + 12),
                java.util.Arrays.copyOf(sampled, f.promptLength + 12)), "sampling differs from greedy decoding");
    }

    /**
     * A failure injected while the sessions generate: the source lets one round of demand through per
     * checkpoint, so checkpoints complete mid-session on any machine, and the failure fires after the
     * first one; the restored job ends with the tokens of a run without failure.
     */
    @Test
    void aFailureMidSessionRestoresToTheTokensOfARunWithoutFailure() throws IOException {
        Fixture f = Fixture.load("mamba1-untied-bias");
        String[] common = {"stream-generate", "--model", f.modelDir.toString(), "--tokens",
                reference(f, "prompt.i32").toString(), "--batch", String.valueOf(f.batch), "--max-new", "24",
                "--temperature", "1.1", "--seed", "3", "--tokens-per-round", "2", "--parallelism", "2"};
        Path clean = tmp.resolve("clean");
        Run r1 = Cli.run(args(common, "--out", clean.toString()));
        assertEquals(0, r1.code(), r1.err());
        Path failed = tmp.resolve("failed");
        Run r2 = Cli.run(args(common, "--out", failed.toString(), "--fail-after", "5", "--records-per-checkpoint",
                String.valueOf(f.batch), "--checkpoint-interval", "100ms"));
        assertEquals(0, r2.code(), r2.err());
        assertTrue(r2.out().matches("(?s).*injected failure\\s+fired after 5 outputs.*"), r2.out());
        assertArrayEquals(Files.readAllBytes(clean.resolve("tokens.i32")), Files.readAllBytes(failed.resolve("tokens.i32")));
    }

    @Test
    void perChunkPredictionsAreTheArgmaxOfTheLogitsCommand() throws IOException {
        Fixture f = Fixture.load("mamba1-tied");
        int chunk = 7;
        Path logits = tmp.resolve("logits.f32");
        Run l = Cli.run("logits", "--model", f.modelDir.toString(), "--tokens", reference(f, "tokens.i32").toString(),
                "--batch", String.valueOf(f.batch), "--threads", "1", "--out", logits.toString());
        assertEquals(0, l.code(), l.err());
        float[] all = floats(logits);
        Path out = tmp.resolve("classify");
        Run r = Cli.run(args(new String[] {"stream-classify", "--model", f.modelDir.toString(), "--tokens",
                reference(f, "tokens.i32").toString(), "--batch", String.valueOf(f.batch), "--chunk", String.valueOf(chunk),
                "--per-chunk", "--parallelism", "2", "--out", out.toString()}));
        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(out.resolve("predictions.tsv"));
        assertEquals("sequence\tposition\tlabel\tprobability", rows.get(0));
        int chunks = (f.length + chunk - 1) / chunk;
        assertEquals(1 + f.batch * chunks, rows.size());
        int i = 1;
        for (int b = 0; b < f.batch; b++) {
            for (int c = 0; c < chunks; c++) {
                int position = Math.min(f.length, (c + 1) * chunk);
                String[] row = rows.get(i++).split("\t");
                assertEquals(String.valueOf(b), row[0]);
                assertEquals(String.valueOf(position), row[1]);
                int base = (b * f.length + position - 1) * f.vocab;
                int label = 0;
                for (int v = 1; v < f.vocab; v++) {
                    label = all[base + v] > all[base + label] ? v : label;
                }
                double sum = 0;
                for (int v = 0; v < f.vocab; v++) {
                    sum += Math.exp((double) all[base + v] - all[base + label]);
                }
                assertEquals(label, Integer.parseInt(row[2]), "sequence " + b + " at " + position);
                assertEquals(1 / sum, Double.parseDouble(row[3]), 1e-5, "sequence " + b + " at " + position);
            }
        }
    }

    @Test
    void windowAndEndOfStreamPredictionsComeAtTheirPositions() throws IOException {
        Fixture f = Fixture.load("mamba2-basic");
        String[] common = {"stream-classify", "--model", f.modelDir.toString(), "--tokens",
                reference(f, "tokens.i32").toString(), "--batch", String.valueOf(f.batch), "--chunk", "16"};
        Path window = tmp.resolve("window");
        Run w = Cli.run(args(common, "--window", "6", "--out", window.toString()));
        assertEquals(0, w.code(), w.err());
        List<String> rows = Files.readAllLines(window.resolve("predictions.tsv"));
        assertEquals(1 + f.batch * (f.length / 6), rows.size());
        for (String row : rows.subList(1, rows.size())) {
            assertEquals(0, Integer.parseInt(row.split("\t")[1]) % 6, row);
        }
        Path end = tmp.resolve("end");
        Run e = Cli.run(args(common, "--out", end.toString()));
        assertEquals(0, e.code(), e.err());
        rows = Files.readAllLines(end.resolve("predictions.tsv"));
        assertEquals(1 + f.batch, rows.size());
        for (String row : rows.subList(1, rows.size())) {
            assertEquals(String.valueOf(f.length), row.split("\t")[1], row);
        }
    }

    @Test
    void aJobThatFailsExitsWithThreeAndOneLine() {
        Fixture f = Fixture.load("mamba1-tied");
        // The checkpoint storage cannot be created: the JobManager fails the job as it starts.
        Run r = Cli.run(args(new String[] {"stream-generate", "--model", f.modelDir.toString(), "--tokens",
                reference(f, "prompt.i32").toString(), "--batch", String.valueOf(f.batch), "--max-new", "2",
                "--checkpoint-dir", "/proc/no-checkpoints-here", "--out", tmp.resolve("failed").toString()}));
        assertEquals(ExitCodes.JOB_FAILED, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("scanflow stream-generate: job failed: "), r.err());
        assertTrue(r.err().contains("/proc/no-checkpoints-here"), "the root cause is named: " + r.err());
    }

    @Test
    void badSettingsAreOneLineOrUsageErrors() throws IOException {
        Fixture f = Fixture.load("mamba1-tied");
        String[] common = {"stream-generate", "--model", f.modelDir.toString(), "--tokens",
                reference(f, "prompt.i32").toString(), "--batch", String.valueOf(f.batch), "--max-new", "2",
                "--out", tmp.resolve("x").toString()};
        Run cuda = Cli.run(args(common, "--engine", "cuda"));
        assertEquals(1, cuda.code());
        assertTrue(cuda.err().contains("engine 'cuda' was asked for, but"), cuda.err());
        assertEquals(1, cuda.err().strip().lines().count(), cuda.err());
        Run engine = Cli.run(args(common, "--engine", "gpu"));
        assertEquals(2, engine.code());
        assertTrue(engine.err().contains("expected cpu, cuda or auto, found 'gpu'"), engine.err());
        Run interval = Cli.run(args(common, "--checkpoint-interval", "soon"));
        assertEquals(2, interval.code());
        assertTrue(interval.err().contains("'soon' is not a duration"), interval.err());
        Run zero = Cli.run(args(common, "--checkpoint-interval", "0"));
        assertEquals(1, zero.code());
        assertTrue(zero.err().contains("--checkpoint-interval must be positive"), zero.err());
    }

    private static float[] floats(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }
}
