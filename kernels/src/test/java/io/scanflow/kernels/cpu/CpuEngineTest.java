package io.scanflow.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.kernels.Output;
import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.state.StateCodec;
import io.scanflow.model.state.StateFormatException;
import io.scanflow.model.testing.Fixture;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CpuEngineTest {

    @ParameterizedTest
    @ValueSource(strings = {"mamba1-untied-bias", "mamba2-groups"})
    void prefillBundleMatchesHuggingFaceForEveryOutputKind(String name) {
        Fixture f = Fixture.load(name);
        SequenceModel model = ModelLoader.load(f.modelDir);
        int v = model.vocabSize(), d = model.hiddenSize();
        try (CpuEngine engine = new CpuEngine(model, 2, 9)) {
            int[] slots = openSlots(engine, f.batch);
            int[][] seqs = new int[f.batch][];
            float[][] out = new float[f.batch][f.length * v];
            for (int b = 0; b < f.batch; b++) {
                seqs[b] = f.sequence(b);
            }
            engine.prefill(slots, seqs, Output.ALL_LOGITS, out);
            for (int b = 0; b < f.batch; b++) {
                double err = Fixture.maxRelativeError(out[b], 0, f.logits, b * f.length * v, f.length * v);
                assertTrue(err <= 1e-4, "sequence " + b + ": " + err);
                assertEquals(f.length, engine.position(slots[b]));
            }

            // The other output kinds, from the model run directly with the engine's chunk (same SSD blocks).
            Workspace ws = model.newWorkspace(9);
            float[] hidden = new float[f.length * d];
            RecurrentState s = model.newState();
            model.prefill(s, seqs[0], 0, f.length, hidden, 0, ws);
            float[] last = new float[v];
            model.logits(hidden, (f.length - 1) * d, 1, last, 0);
            float[] mean = new float[d];
            for (int i = 0; i < d; i++) {
                double sum = 0;
                for (int t = 0; t < f.length; t++) {
                    sum += hidden[t * d + i];
                }
                mean[i] = (float) (sum / f.length);
            }
            assertArrayEquals(last, prefillOne(engine, seqs[0], Output.LAST_LOGITS, v));
            assertArrayEquals(Arrays.copyOfRange(hidden, (f.length - 1) * d, f.length * d),
                    prefillOne(engine, seqs[0], Output.LAST_HIDDEN, d));
            assertArrayEquals(mean, prefillOne(engine, seqs[0], Output.MEAN_HIDDEN, d), 1e-6f);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void batchedStepIsIndependentOfTheWorkerCount(int threads) {
        for (String name : new String[] {"mamba2-basic", "mamba1-tied"}) {
            Fixture f = Fixture.load(name);
            for (SequenceModel model : new SequenceModel[] {ModelLoader.load(f.modelDir), CpuEngine.loadModel(f.modelDir)}) {
                int v = model.vocabSize();
                // Rows for 9 slices of 16: more slices than workers, so workers run several in their workspace.
                int keys = 150;
                float[] reference = runSteps(new CpuEngine(model, 1, 16), keys, 5, v);
                float[] actual = runSteps(new CpuEngine(model, threads, 16), keys, 5, v);
                assertArrayEquals(reference, actual, name + " on " + threads + " workers");
            }
        }
    }

    /** The big-model path (layer by layer, dense layers split by columns) against the per-slice path, forced by threshold. */
    @ParameterizedTest
    @ValueSource(strings = {"mamba1-tied", "mamba1-untied-bias", "mamba2-basic"})
    void layerByLayerStepGivesTheSliceStepsBits(String name) {
        Fixture f = Fixture.load(name);
        for (SequenceModel model : new SequenceModel[] {ModelLoader.load(f.modelDir), CpuEngine.loadModel(f.modelDir)}) {
            int v = model.vocabSize();
            int keys = 70;
            float[] slices = runSteps(new CpuEngine(model, 3, 16, Long.MAX_VALUE), keys, 5, v);
            float[] layers = runSteps(new CpuEngine(model, 3, 16, -1), keys, 5, v);
            assertArrayEquals(slices, layers, name);
            // Batches that grow between steps reuse and then regrow the batch workspace.
            assertArrayEquals(runSteps(new CpuEngine(model, 1, 16), 5, 3, v), runSteps(new CpuEngine(model, 2, 16, -1), 5, 3, v));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mamba1-tied", "mamba1-untied-bias", "mamba2-basic"})
    void savedSlotRestoresIntoAnotherEngineAndContinuesIdentically(String name) {
        Fixture f = Fixture.load(name);
        SequenceModel model = CpuEngine.loadModel(f.modelDir);
        int v = model.vocabSize();
        int[] seq = f.sequence(1);
        try (CpuEngine a = new CpuEngine(model, 1, 8); CpuEngine b = new CpuEngine(model, 1, 8)) {
            int sa = a.openSlot();
            a.prefill(new int[] {sa}, new int[][] {Arrays.copyOf(seq, 20)}, Output.NONE, null);
            byte[] saved = a.saveSlot(sa);
            int sb = b.openSlot();
            b.openSlot(); // a different slot number must not matter
            b.loadSlot(sb, saved);
            assertEquals(20, b.position(sb));
            float[] outA = new float[v];
            float[] outB = new float[v];
            for (int t = 20; t < f.length; t++) {
                a.step(new int[] {sa}, new int[] {seq[t]}, 1, Output.LAST_LOGITS, outA);
                b.step(new int[] {sb}, new int[] {seq[t]}, 1, Output.LAST_LOGITS, outB);
                assertArrayEquals(outA, outB, "token " + t);
            }
        }
    }

    /**
     * The SIMD step conv and scan keep their windows and states in orders of their own; saved states
     * hold the portable order, so the SIMD engine's saved state matches the reference engine's after the
     * same tokens and each continues from the other's. Tolerance 1e-4 relative: the two differ in summation order and exp rounding (a few
     * ulp per operation), compounded over 20 tokens and the layers, as in the fixture parity tests.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mamba1-tied", "mamba1-untied-bias", "mamba2-basic", "mamba2-groups"})
    void savedStatesMoveBetweenTheSimdAndTheReferenceKernels(String name) {
        Fixture f = Fixture.load(name);
        SequenceModel simd = CpuEngine.loadModel(f.modelDir);
        SequenceModel reference = ModelLoader.load(f.modelDir);
        int v = reference.vocabSize();
        int[] seq = f.sequence(0);
        try (CpuEngine a = new CpuEngine(simd, 1, 8); CpuEngine b = new CpuEngine(reference, 1, 8)) {
            int sa = a.openSlot();
            int sb = b.openSlot();
            a.prefill(new int[] {sa}, new int[][] {Arrays.copyOf(seq, 20)}, Output.NONE, null);
            b.prefill(new int[] {sb}, new int[][] {Arrays.copyOf(seq, 20)}, Output.NONE, null);
            byte[] fromSimd = a.saveSlot(sa);
            byte[] fromReference = b.saveSlot(sb);
            RecurrentState x = reference.newState();
            RecurrentState y = reference.newState();
            StateCodec.decode(fromSimd, reference.fingerprint(), x);
            StateCodec.decode(fromReference, reference.fingerprint(), y);
            assertTrue(Fixture.maxRelativeError(x.data(), y.data()) <= 1e-4,
                    "saved floats " + Fixture.maxRelativeError(x.data(), y.data()));

            a.loadSlot(sa, fromReference);
            b.loadSlot(sb, fromSimd);
            float[] outA = new float[v];
            float[] outB = new float[v];
            for (int t = 20; t < f.length; t++) {
                a.step(new int[] {sa}, new int[] {seq[t]}, 1, Output.LAST_LOGITS, outA);
                b.step(new int[] {sb}, new int[] {seq[t]}, 1, Output.LAST_LOGITS, outB);
                assertTrue(Fixture.maxRelativeError(outA, outB) <= 1e-4,
                        "token " + t + ": " + Fixture.maxRelativeError(outA, outB));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mamba1-tied"})
    void slotsAreRecycledFreshAndMisuseIsRejected(String name) {
        SequenceModel model = ModelLoader.load(Fixture.load(name).modelDir);
        SequenceModel other = ModelLoader.load(Fixture.load("mamba1-untied-bias").modelDir);
        try (CpuEngine engine = new CpuEngine(model, 1, 4); CpuEngine foreign = new CpuEngine(other, 1, 4)) {
            int s = engine.openSlot();
            engine.prefill(new int[] {s}, new int[][] {{1, 2, 3}}, Output.NONE, null);
            engine.closeSlot(s);
            assertThrows(IllegalArgumentException.class, () -> engine.position(s));
            int again = engine.openSlot();
            assertEquals(s, again, "closed slots are reused");
            assertEquals(0, engine.position(again), "a reused slot starts fresh");
            assertEquals(1, engine.openSlots());
            int f = foreign.openSlot();
            assertThrows(StateFormatException.class, () -> engine.loadSlot(again, foreign.saveSlot(f)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> engine.step(new int[] {again}, new int[] {999}, 1, Output.NONE, null));
            assertTrue(e.getMessage().contains("token 999"), e.getMessage());
            assertNotEquals(model.fingerprint(), other.fingerprint());
        }
    }

    @org.junit.jupiter.api.Test
    void featureRequestsMatchTheTokenRequestsTheyEncode(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Fixture f = Fixture.load("mamba2-groups");
        SequenceModel tokens = ModelLoader.load(f.modelDir);
        SequenceModel features = ModelLoader.load(io.scanflow.model.testing.FeatureModels.oneHotCopy(f.modelDir, dir));
        int v = tokens.vocabSize();
        try (CpuEngine a = new CpuEngine(tokens, 2, 8); CpuEngine b = new CpuEngine(features, 2, 8)) {
            int[] slotsA = openSlots(a, f.batch);
            int[] slotsB = openSlots(b, f.batch);
            int[][] seqs = new int[f.batch][];
            float[][] rows = new float[f.batch][];
            float[][] outA = new float[f.batch][v];
            float[][] outB = new float[f.batch][v];
            for (int i = 0; i < f.batch; i++) {
                seqs[i] = Arrays.copyOf(f.sequence(i), 10 + i);
                rows[i] = io.scanflow.model.testing.FeatureModels.oneHot(seqs[i], v);
            }
            a.prefill(slotsA, seqs, Output.LAST_LOGITS, outA);
            b.prefillFeatures(slotsB, rows, Output.LAST_LOGITS, outB);
            for (int i = 0; i < f.batch; i++) {
                assertArrayEquals(outA[i], outB[i], "prefill request " + i);
            }
            int[] next = {3, 1, 4};
            float[] stepA = new float[f.batch * v];
            float[] stepB = new float[f.batch * v];
            a.step(slotsA, next, f.batch, Output.LAST_LOGITS, stepA);
            b.stepFeatures(slotsB, io.scanflow.model.testing.FeatureModels.oneHot(next, v), f.batch, Output.LAST_LOGITS, stepB);
            assertArrayEquals(stepA, stepB);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> b.prefillFeatures(new int[] {slotsB[0]}, new float[][] {new float[v + 1]}, Output.NONE, null));
            assertTrue(e.getMessage().contains("not whole rows"), e.getMessage());
        }
    }

    private static float[] prefillOne(CpuEngine engine, int[] seq, Output output, int width) {
        int slot = engine.openSlot();
        float[][] out = {new float[width]};
        engine.prefill(new int[] {slot}, new int[][] {seq}, output, out);
        engine.closeSlot(slot);
        return out[0];
    }

    private static float[] runSteps(CpuEngine engine, int keys, int steps, int v) {
        try (engine) {
            int[] slots = openSlots(engine, keys);
            float[] out = new float[keys * v];
            float[] all = new float[steps * keys * v];
            int[] tokens = new int[keys];
            for (int t = 0; t < steps; t++) {
                for (int k = 0; k < keys; k++) {
                    tokens[k] = (k * 7 + t * 13) % v;
                }
                engine.step(slots, tokens, keys, Output.LAST_LOGITS, out);
                System.arraycopy(out, 0, all, t * keys * v, keys * v);
            }
            return all;
        }
    }

    private static int[] openSlots(CpuEngine engine, int n) {
        int[] slots = new int[n];
        for (int i = 0; i < n; i++) {
            slots[i] = engine.openSlot();
        }
        return slots;
    }
}
