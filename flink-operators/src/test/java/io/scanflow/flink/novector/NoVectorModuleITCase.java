package io.scanflow.flink.novector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.TestRecords;
import io.scanflow.flink.operator.Reference;
import io.scanflow.kernels.cpu.CpuKernels;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.math.ScalarKernels;
import io.scanflow.model.testing.Fixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector} runs a classify job to the end on the
 * scalar kernels, says so in one warning that names the flag, and gives exactly the predictions of the
 * scalar engine alone. Before, the operator's {@code open()} threw {@code NoClassDefFoundError} and Flink
 * restarted the task again and again.
 */
class NoVectorModuleITCase {
    private static final int RECORDS = 40;
    private static final int KEYS = 3;

    @Test
    void aJvmWithoutTheVectorModuleRunsTheJobOnScalarKernelsAndWarnsOnce(@TempDir Path dir) throws Exception {
        Path model = Fixture.root().resolve("models").resolve("mamba1-tied");
        Path stdout = dir.resolve("stdout");
        Path stderr = dir.resolve("stderr");
        Process child = new ProcessBuilder(javaCommand(), "-Xmx512m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                NoVectorModuleJob.class.getName(), model.toString(), Integer.toString(RECORDS), Integer.toString(KEYS))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        // A guard against a hang, not a timing assumption: the job takes seconds.
        assertTrue(child.waitFor(5, TimeUnit.MINUTES), "the child JVM did not finish");
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), "the child JVM failed:\n" + err);

        assertFalse(err.contains("NoClassDefFoundError"), err);
        assertEquals(1, occurrences(err, CpuKernels.VECTOR_FLAG), "one warning naming the flag:\n" + err);
        List<String> expected;
        try (Reference scalar = new Reference(ModelLoader.load(model, ScalarKernels.INSTANCE))) {
            expected = TestRecords.render(scalar.classifyPerChunk(TestRecords.first(RECORDS, KEYS)));
        }
        assertEquals(TestRecords.byKey(expected), TestRecords.byKey(lines(stdout)));
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> lines(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (l.startsWith("P ")) {
                out.add(l);
            }
        }
        return out;
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }
}
