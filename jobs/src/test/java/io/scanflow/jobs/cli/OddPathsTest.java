package io.scanflow.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.jobs.corpus.Cli;
import io.scanflow.jobs.corpus.Cli.Run;
import io.scanflow.model.testing.Fixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths with spaces, {@code #}, {@code %} and non-ASCII letters are used as typed: a job reads and
 * writes exactly the folders the user named, never a percent-encoded twin of them.
 */
class OddPathsTest {
    static final String ODD = "sg out ü #1 50%done";

    @TempDir
    Path tmp;

    @Test
    void streamCommandsReadAndWriteTheNamedFoldersVerbatim() throws IOException {
        Fixture f = Fixture.load("mamba1-tied");
        Path inDir = Files.createDirectories(tmp.resolve("in " + ODD));
        Path prompt = Files.copy(StreamCommandsTest.reference(f, "prompt.i32"), inDir.resolve("prompt ü.i32"));
        Path out = tmp.resolve("out " + ODD);
        Path checkpoints = tmp.resolve("ck " + ODD);
        Run g = Cli.run(StreamCommandsTest.args(new String[] {"stream-generate", "--model",
                f.modelDir.toString(), "--tokens", prompt.toString(), "--batch", String.valueOf(f.batch), "--max-new",
                String.valueOf(f.newTokens), "--greedy", "--checkpoint-dir", checkpoints.toString(), "--out",
                out.toString()}));
        assertEquals(0, g.code(), g.err());
        assertArrayEquals(Fixture.ints(StreamCommandsTest.reference(f, "greedy.i32")),
                Fixture.ints(out.resolve("tokens.i32")));
        assertTrue(Files.isDirectory(checkpoints), "checkpoints go to the named folder");

        Path classified = tmp.resolve("classify " + ODD);
        Run c = Cli.run(StreamCommandsTest.args(new String[] {"stream-classify", "--model",
                f.modelDir.toString(), "--tokens", prompt.toString(), "--batch", String.valueOf(f.batch), "--out",
                classified.toString()}));
        assertEquals(0, c.code(), c.err());
        assertEquals(1 + f.batch, Files.readAllLines(classified.resolve("predictions.tsv")).size());

        try (Stream<Path> all = Files.list(tmp)) {
            List<String> names = all.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("ck " + ODD, "classify " + ODD, "in " + ODD, "out " + ODD), names,
                    "no percent-encoded folder appears beside the named ones");
        }
    }
}
