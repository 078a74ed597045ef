package io.scanflow.model.weights;

import static io.scanflow.model.weights.SafetensorsWriter.assertFails;
import static io.scanflow.model.weights.SafetensorsWriter.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading single-file checkpoints: values per dtype, lookups, and the checks loaders rely on. */
class CheckpointTest {

    @TempDir
    Path dir;

    private Path small() {
        return SafetensorsWriter.create()
                .metadata("format", "pt")
                .f32("backbone.norm_f.weight", shape(2, 2), 1f, -2f, 3.5f, Float.MIN_VALUE)
                .f32("backbone.layers.0.mixer.D", shape(3), 1f, 2f, 3f)
                .f32("lm_head.weight", shape(1), 7f)
                .write(dir.resolve("model.safetensors"));
    }

    @Test
    void f32ValuesRoundTrip() {
        try (Checkpoint c = Checkpoint.openFile(small())) {
            assertArrayEquals(new float[] {1f, -2f, 3.5f, Float.MIN_VALUE}, c.floats("backbone.norm_f.weight", 2, 2));
        }
    }

    @Test
    void f64ValuesAreNarrowedToFloat() {
        double[] values = {1.0, -0.1, 1e300, Math.PI};
        Path f = SafetensorsWriter.create().f64("w", shape(4), values).write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.openFile(f)) {
            assertArrayEquals(new float[] {1f, -0.1f, Float.POSITIVE_INFINITY, (float) Math.PI}, c.decoded("w", 4));
        }
    }

    @Test
    void f16ValuesRoundTripIncludingSpecials() {
        short[] bits = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, (short) 0x8000, 0x7C00, (short) 0xFC00, 0x7E00};
        Path f = SafetensorsWriter.create().bits16("w", "F16", shape(2, 4), bits).write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.openFile(f)) {
            float[] v = c.decoded("w", 2, 4);
            assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, -0f, Float.POSITIVE_INFINITY,
                    Float.NEGATIVE_INFINITY}, Arrays.copyOf(v, 7));
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(v[4]));
            assertTrue(Float.isNaN(v[7]));
        }
    }

    @Test
    void bf16ValuesAreTheUpperHalfOfFloat32() {
        float[] expected = {1f, -2.5f, 3.0e38f, Float.NEGATIVE_INFINITY, 0x1p-130f};
        short[] bits = new short[expected.length];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (short) (Float.floatToRawIntBits(expected[i]) >>> 16);
            expected[i] = Float.intBitsToFloat(bits[i] << 16);
        }
        Path f = SafetensorsWriter.create().bits16("w", "BF16", shape(5), bits).write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.openFile(f)) {
            assertArrayEquals(expected, c.decoded("w", 5));
        }
    }

    @Test
    void allHalfBitPatternsDecodeLikeTheScalarConverter() {
        short[] bits = new short[1 << 16];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (short) i;
        }
        Path f = SafetensorsWriter.create().bits16("all", "F16", shape(bits.length), bits)
                .write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.openFile(f)) {
            float[] v = c.decoded("all");
            for (int i = 0; i < bits.length; i++) {
                assertEquals(Float.floatToRawIntBits(Float16.toFloat(bits[i])), Float.floatToRawIntBits(v[i]),
                        "bits 0x" + Integer.toHexString(i));
            }
        }
    }

    @Test
    void readingInSmallWindowsGivesTheSameValues() {
        float[] values = new float[1000];
        double[] wide = new double[333];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 7;
        }
        for (int i = 0; i < wide.length; i++) {
            wide[i] = -i / 3.0;
        }
        Path f = SafetensorsWriter.create().f32("a", shape(10, 100), values).f64("b", shape(wide.length), wide)
                .write(dir.resolve("m.safetensors"));
        try (SafetensorsFile file = SafetensorsFile.open(f, 60)) { // 15 floats or 7 doubles per mapping
            assertArrayEquals(values, file.readFloats(file.header.tensors.get("a")));
            float[] b = file.readFloats(file.header.tensors.get("b"));
            for (int i = 0; i < wide.length; i++) {
                assertEquals((float) wide[i], b[i]);
            }
        }
    }

    @Test
    void zeroSizeTensorIsAllowed() {
        Path f = SafetensorsWriter.create().f32("empty", shape(0)).f32("x", shape(1), 5f).write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.openFile(f)) {
            assertEquals(0, c.info("empty").elementCount());
            assertArrayEquals(new float[0], c.floats("empty", 0));
            assertArrayEquals(new float[] {5f}, c.floats("x", 1));
        }
    }

    @Test
    void scalarTensorHasOneElement() {
        Path f = SafetensorsWriter.create().f32("s", shape(), 2.5f).write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.openFile(f)) {
            assertEquals("[]", c.info("s").shapeString());
            assertArrayEquals(new float[] {2.5f}, c.floats("s"));
        }
    }

    @Test
    void metadataIsExposed() {
        try (Checkpoint c = Checkpoint.openFile(small())) {
            assertEquals(Map.of("format", "pt"), c.metadata());
        }
    }

    @Test
    void namesAreSortedAndInfoLocatesTheBytes() {
        Path f = small();
        try (Checkpoint c = Checkpoint.openFile(f)) {
            assertEquals(List.of("backbone.layers.0.mixer.D", "backbone.norm_f.weight", "lm_head.weight"),
                    List.copyOf(c.names()));
            assertTrue(c.contains("lm_head.weight"));
            assertFalse(c.contains("lm_head.bias"));
            TensorInfo d = c.info("backbone.layers.0.mixer.D");
            assertEquals(DType.F32, d.dtype());
            assertEquals(f, d.file());
            assertEquals(12, d.end() - d.begin());
            assertEquals(dir.toAbsolutePath(), c.directory());
        }
    }

    @Test
    void missingTensorNamesFileAndTensorAndSuggestsSimilarNames() {
        Path f = small();
        try (Checkpoint c = Checkpoint.openFile(f)) {
            assertFails(() -> c.info("model.layers.0.mixer.D"), "missing tensor model.layers.0.mixer.D", f,
                    "similar: backbone.layers.0.mixer.D");
            assertFails(() -> c.floats("nope", 1), "missing tensor nope", f, "3 tensors");
        }
    }

    @Test
    void nonFiniteWeightsAreALoadErrorNamingFileTensorAndIndex() {
        Path f = SafetensorsWriter.create()
                .f32("ok", shape(2), 1f, 2f)
                .f32("backbone.layers.0.mixer.A_log", shape(2, 2), 0f, 1f, Float.NaN, 3f)
                .f32("lm_head.weight", shape(3), 0f, Float.NEGATIVE_INFINITY, 1f)
                .write(dir.resolve("model.safetensors"));
        Path wide = SafetensorsWriter.create().f64("w", shape(2), 1.0, 1e300).write(dir.resolve("wide.safetensors"));
        try (Checkpoint c = Checkpoint.openFile(f); Checkpoint d = Checkpoint.openFile(wide)) {
            assertArrayEquals(new float[] {1f, 2f}, c.floats("ok", 2));
            assertFails(() -> c.floats("backbone.layers.0.mixer.A_log", 2, 2), "tensor backbone.layers.0.mixer.A_log in " + f,
                    "expected finite values, found NaN at index 2 (of 4)");
            assertFails(() -> c.floats("lm_head.weight", 3), "tensor lm_head.weight in " + f,
                    "found -Infinity at index 1 (of 3)");
            assertFails(() -> d.floats("w", 2), "tensor w in " + wide, "found Infinity at index 1",
                    "the F64 value is beyond the float32 range");
        }
    }

    @Test
    void wrongShapeSaysExpectedAndFound() {
        Path f = small();
        try (Checkpoint c = Checkpoint.openFile(f)) {
            assertFails(() -> c.floats("backbone.norm_f.weight", 4), "tensor backbone.norm_f.weight in " + f,
                    "expected shape [4] (from config), found [2, 2]");
        }
    }

    @Test
    void unreadTensorsAreReportedAsUnexpected() {
        Path f = small();
        try (Checkpoint c = Checkpoint.openFile(f)) {
            assertFails(() -> c.requireNoUnexpected(Set.of("backbone.norm_f.weight")), "2 unexpected tensors", f,
                    "backbone.layers.0.mixer.D, lm_head.weight");
            c.requireNoUnexpected(c.names());
        }
    }

    @Test
    void manyUnexpectedTensorsAreListedFirstFewOnly() {
        SafetensorsWriter w = SafetensorsWriter.create();
        for (int i = 0; i < 8; i++) {
            w.f32("t" + i, shape(1), i);
        }
        Path f = w.write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.openFile(f)) {
            CheckpointException e = assertFails(() -> c.requireNoUnexpected(Set.of()), "8 unexpected tensors", f,
                    "t0, t1, t2, t3, t4 and 3 more");
            assertFalse(e.getMessage().contains("t5"));
        }
    }

    @Test
    void readingAfterCloseIsNamed() {
        Path f = small();
        Checkpoint c = Checkpoint.openFile(f);
        c.close();
        assertFails(() -> c.floats("lm_head.weight"), "tensor lm_head.weight in " + f, "closed");
    }

    @Test
    void openPrefersModelSafetensorsOverOtherFiles() {
        small();
        SafetensorsWriter.create().f32("other", shape(1), 1f).write(dir.resolve("extra.safetensors"));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertTrue(c.contains("lm_head.weight"));
        }
    }

    @Test
    void openUsesTheOnlySafetensorsFile() {
        SafetensorsWriter.create().f32("w", shape(1), 1f).write(dir.resolve("pytorch_model.safetensors"));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(Set.of("w"), c.names());
        }
    }

    @Test
    void openWithoutAnyCheckpointIsNamed() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{}");
        assertFails(() -> Checkpoint.open(dir), "no checkpoint in " + dir, "model.safetensors.index.json",
                "found none");
    }

    @Test
    void openWithSeveralCandidatesIsAmbiguous() {
        SafetensorsWriter.create().f32("w", shape(1), 1f).write(dir.resolve("a.safetensors"));
        SafetensorsWriter.create().f32("w", shape(1), 1f).write(dir.resolve("b.safetensors"));
        assertFails(() -> Checkpoint.open(dir), "ambiguous checkpoint in " + dir, "found 2: a.safetensors, b.safetensors");
    }

    @Test
    void openOnMissingDirectoryOrFileIsNamed() {
        Path nowhere = dir.resolve("nowhere");
        assertFails(() -> Checkpoint.open(nowhere), nowhere, "expected an existing directory", "found nothing");
        assertFails(() -> Checkpoint.openFile(nowhere), nowhere, "expected an existing file", "found nothing");
    }
}
