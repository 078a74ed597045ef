package io.scanflow.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.jobs.corpus.Cli;
import io.scanflow.jobs.corpus.Cli.Run;
import io.scanflow.model.testing.Fixture;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stream-generate --resume}: a run killed with SIGKILL mid-job goes on from its newest complete
 * checkpoint, keeps the output it had committed, and ends with the same bytes as a run never stopped.
 */
class ResumeTest {
    /** Only a run that never starts or never ends reaches this; the waits below are for events, not times. */
    private static final long GIVE_UP_MILLIS = TimeUnit.MINUTES.toMillis(4);

    @TempDir
    Path tmp;

    @Test
    void aKilledRunResumesFromItsLastCheckpointWithByteIdenticalOutput() throws Exception {
        Fixture f = Fixture.load("mamba1-tied");
        int maxNew = 40;
        List<String> common = List.of("stream-generate", "--model", f.modelDir.toString(), "--tokens",
                StreamCommandsTest.reference(f, "prompt.i32").toString(), "--batch", String.valueOf(f.batch), "--max-new",
                String.valueOf(maxNew), "--temperature", "1.1", "--seed", "9", "--checkpoint-interval", "200ms",
                "--progress", "off");
        Path reference = tmp.resolve("reference");
        Run ref = Cli.run(args(common, "--out", reference.toString()));
        assertEquals(0, ref.code(), ref.err());

        // The same run in its own JVM, paced so that it is still running when it is killed: 4 tokens a second a key
        // (the source sends each round's demand at that pace, so it stays open for the 10 s the sessions take).
        Path out = tmp.resolve("run");
        Path checkpoints = tmp.resolve("checkpoints");
        List<String> command = new ArrayList<>(List.of(javaBinary(), "--add-modules=jdk.incubator.vector", "-Xmx512m",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                ScanflowCommand.class.getName()));
        command.addAll(List.of(args(common, "--tokens-per-second", "4", "--checkpoint-dir",
                checkpoints.toString(), "--out", out.toString())));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed.log").toFile()).start();
        int total = f.batch * maxNew;
        long committed = 0;
        try {
            long deadline = System.currentTimeMillis() + GIVE_UP_MILLIS;
            while (committed == 0 || !hasCheckpoint(checkpoints)) {
                assertTrue(p.isAlive(), "the run ended before it could be killed: " + Files.readString(tmp.resolve("killed.log")));
                assertTrue(System.currentTimeMillis() < deadline, "no checkpoint and no committed output");
                p.waitFor(50, TimeUnit.MILLISECONDS);
                committed = committedLines(out.resolve("parts"));
            }
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no clean-up
            p.waitFor();
        }
        assertTrue(committed < total, "killed mid-run: " + committed + " of " + total + " tokens committed");

        Run resumed = Cli.run(args(common, "--checkpoint-dir", checkpoints.toString(), "--out",
                out.toString(), "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertArrayEquals(Files.readAllBytes(reference.resolve("tokens.i32")), Files.readAllBytes(out.resolve("tokens.i32")));
    }

    @Test
    void resumeWithoutACheckpointIsOneLine() {
        Fixture f = Fixture.load("mamba1-tied");
        Run r = Cli.run("stream-generate", "--model", f.modelDir.toString(), "--tokens",
                StreamCommandsTest.reference(f, "prompt.i32").toString(), "--batch", String.valueOf(f.batch), "--max-new", "2",
                "--checkpoint-dir", tmp.resolve("none").toString(), "--out", tmp.resolve("o").toString(), "--resume");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--resume: no complete checkpoint in"), r.err());
        Run usage = Cli.run("stream-generate", "--model", f.modelDir.toString(), "--tokens",
                StreamCommandsTest.reference(f, "prompt.i32").toString(), "--batch", String.valueOf(f.batch), "--max-new", "2",
                "--out", tmp.resolve("o2").toString(), "--resume");
        assertEquals(2, usage.code(), usage.err());
        assertTrue(usage.err().contains("--resume needs the --checkpoint-dir"), usage.err());
    }

    private static String[] args(List<String> common, String... more) {
        List<String> all = new ArrayList<>(common);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static boolean hasCheckpoint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> all = Files.walk(dir, 3)) {
            return all.anyMatch(p -> p.getFileName().toString().equals("_metadata")
                    && p.getParent().getFileName().toString().startsWith("chk-"));
        }
    }

    /** Lines of the committed part files (in-progress and pending ones are hidden). */
    private static long committedLines(Path parts) throws IOException {
        if (!Files.isDirectory(parts)) {
            return 0;
        }
        long n = 0;
        try (Stream<Path> all = Files.walk(parts)) {
            for (Path p : all.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                try (Stream<String> lines = Files.lines(p)) {
                    n += lines.count();
                }
            }
        } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
            return 0; // a file renamed while listed: look again
        }
        return n;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString() + (File.separatorChar == '\\' ? ".exe" : "");
    }
}
