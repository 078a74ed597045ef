package io.scanflow.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.kernels.CudaTuning;
import io.scanflow.kernels.Engine;
import io.scanflow.kernels.EngineOptions;
import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.sampling.Sampler;
import io.scanflow.model.state.StateCodec;
import io.scanflow.model.testing.Fixture;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The CUDA backend against the CPU backend and HF transformers on every reference fixture, in all three
 * execution modes: chunked prefill (chunks of 16 tokens, several requests per pass), recurrent step
 * (one slot, one token per call) and batched step (all sequences in one call per token); plus final
 * states, cross-backend state restore and greedy generation with the argmax on the device.
 *
 * <p>Tolerances: 1e-5 of the largest logit against the CPU backend (both float32; the GPU sums in
 * other orders and fuses multiply-adds, worth a few ulps per layer: observed ~1e-7..1e-6) and 1e-4 against
 * HF float64 (the project's parity bar, see HuggingFaceParityTest). Skipped without a CUDA device.
 */
@RequiresCuda
class CudaParityTest {
    static final List<String> FIXTURES = Fixture.ALL;


    @ParameterizedTest
    @FieldSource("FIXTURES")
    void allModesMatchCpuAndTransformers(String name) {
        check(name, "default", TestTuning.fromSystemProperties());
    }

    /** The opt-in dense layers: FFMA tiles instead of 3xTF32 tensor cores. */
    @ParameterizedTest
    @FieldSource("FIXTURES")
    void allModesMatchWithFfmaDenseLayers(String name) {
        check(name, "ffma", TestTuning.fromSystemProperties().withGemm(CudaTuning.Gemm.FFMA));
    }

    private void check(String name, String variant, CudaTuning tuning) {
        Fixture f = Fixture.load(name);
        SequenceModel model = ModelLoader.load(f.modelDir);
        int v = model.vocabSize();
        int n = f.length;
        int batch = f.batch;
        int[][] seqs = new int[batch][];
        for (int b = 0; b < batch; b++) {
            seqs[b] = f.sequence(b);
        }
        EngineOptions opts = EngineOptions.defaults().withChunkLength(16).withMaxSlots(16).withMaxRowsPerPass(40)
                .withCpuThreads(1).withCuda(tuning);
        double prefillCpu = 0, prefillHf = 0, stepCpu = 0, stepHf = 0, batchCpu = 0, batchHf = 0, stateErr = 0;
        double restoreErr = 0, unevenErr = 0;
        String paths;
        try (CpuEngine cpu = new CpuEngine(model, 1, 16); CudaEngine gpu = CudaEngine.create(model, f.modelDir, opts)) {
            paths = "gemm " + gpu.gemmMode();
            // Reference: the CPU backend over whole sequences.
            int[] cs = open(cpu, batch);
            float[][] ref = new float[batch][n * v];
            cpu.prefill(cs, seqs, Output.ALL_LOGITS, ref);

            // 1. chunked prefill, all sequences in one call (passes of 40 rows: requests split over passes).
            int[] gs = open(gpu, batch);
            float[][] got = new float[batch][n * v];
            gpu.prefill(gs, seqs, Output.ALL_LOGITS, got);
            for (int b = 0; b < batch; b++) {
                prefillCpu = Math.max(prefillCpu, Fixture.maxRelativeError(got[b], ref[b]));
                prefillHf = Math.max(prefillHf, Fixture.maxRelativeError(got[b], 0, f.logits, b * n * v, n * v));
                assertEquals(n, gpu.position(gs[b]));
                stateErr = Math.max(stateErr, stateError(model, gpu.saveSlot(gs[b]), cpu.saveSlot(cs[b])));
            }

            // 2. recurrent step: one slot, one token per call.
            for (int b = 0; b < batch; b++) {
                int slot = gpu.openSlot();
                float[] out = new float[v];
                float[] all = new float[n * v];
                for (int t = 0; t < n; t++) {
                    gpu.step(new int[] {slot}, new int[] {seqs[b][t]}, 1, Output.LAST_LOGITS, out);
                    System.arraycopy(out, 0, all, t * v, v);
                }
                stepCpu = Math.max(stepCpu, Fixture.maxRelativeError(all, ref[b]));
                stepHf = Math.max(stepHf, Fixture.maxRelativeError(all, 0, f.logits, b * n * v, n * v));
                stateErr = Math.max(stateErr, stateError(model, gpu.saveSlot(slot), cpu.saveSlot(cs[b])));
                gpu.closeSlot(slot);
            }

            // 3. batched step: every sequence advances together, one call per token.
            int[] bs = open(gpu, batch);
            float[] out = new float[batch * v];
            float[][] all = new float[batch][n * v];
            int[] tok = new int[batch];
            for (int t = 0; t < n; t++) {
                for (int b = 0; b < batch; b++) {
                    tok[b] = seqs[b][t];
                }
                gpu.step(bs, tok, batch, Output.ALL_LOGITS, out);
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(out, b * v, all[b], t * v, v);
                }
            }
            for (int b = 0; b < batch; b++) {
                batchCpu = Math.max(batchCpu, Fixture.maxRelativeError(all[b], ref[b]));
                batchHf = Math.max(batchHf, Fixture.maxRelativeError(all[b], 0, f.logits, b * n * v, n * v));
            }

            // 4. uneven requests in one call, last logits only.
            int[][] uneven = {seqs[0], Arrays.copyOf(seqs[1], n / 2 + 1), Arrays.copyOf(seqs[2 % batch], 1)};
            int[] us = open(gpu, 3);
            int[] ucs = open(cpu, 3);
            float[][] ug = new float[3][v];
            float[][] uc = new float[3][v];
            gpu.prefill(us, uneven, Output.LAST_LOGITS, ug);
            cpu.prefill(ucs, uneven, Output.LAST_LOGITS, uc);
            for (int i = 0; i < 3; i++) {
                unevenErr = Math.max(unevenErr, Fixture.maxRelativeError(ug[i], uc[i]));
            }

            // 5. state bytes cross backends: GPU prefix -> CPU rest, CPU prefix -> GPU rest.
            int half = n / 2 + 3;
            for (int b = 0; b < batch; b++) {
                int[] head = Arrays.copyOf(seqs[b], half);
                int[] tail = Arrays.copyOfRange(seqs[b], half, n);
                int g1 = gpu.openSlot();
                gpu.prefill(new int[] {g1}, new int[][] {head}, Output.NONE, null);
                int c1 = cpu.openSlot();
                cpu.loadSlot(c1, gpu.saveSlot(g1));
                float[][] rest = new float[1][tail.length * v];
                cpu.prefill(new int[] {c1}, new int[][] {tail}, Output.ALL_LOGITS, rest);
                restoreErr = Math.max(restoreErr, tailError(rest[0], ref[b], half, v));
                int c2 = cpu.openSlot();
                cpu.prefill(new int[] {c2}, new int[][] {head}, Output.NONE, null);
                int g2 = gpu.openSlot();
                gpu.loadSlot(g2, cpu.saveSlot(c2));
                assertEquals(half, gpu.position(g2));
                gpu.prefill(new int[] {g2}, new int[][] {tail}, Output.ALL_LOGITS, rest);
                restoreErr = Math.max(restoreErr, tailError(rest[0], ref[b], half, v));
                gpu.closeSlot(g1);
                gpu.closeSlot(g2);
                cpu.closeSlot(c1);
                cpu.closeSlot(c2);
            }
        }
        System.out.printf("cuda-parity %-22s %-11s prefill cpu %.2e hf %.2e | step cpu %.2e hf %.2e | batched cpu %.2e"
                        + " hf %.2e | state %.2e | uneven %.2e | restore %.2e | %s%n",
                name, variant, prefillCpu, prefillHf, stepCpu, stepHf, batchCpu, batchHf, stateErr, unevenErr, restoreErr, paths);
        assertTrue(prefillCpu <= 1e-5, name + " chunked prefill vs CPU " + prefillCpu);
        assertTrue(stepCpu <= 1e-5, name + " step vs CPU " + stepCpu);
        assertTrue(batchCpu <= 1e-5, name + " batched step vs CPU " + batchCpu);
        assertTrue(prefillHf <= 1e-4 && stepHf <= 1e-4 && batchHf <= 1e-4,
                name + " vs HF float64: " + prefillHf + " " + stepHf + " " + batchHf);
        assertTrue(stateErr <= 1e-5, name + " final states differ by " + stateErr);
        assertTrue(unevenErr <= 1e-5, name + " uneven requests " + unevenErr);
        assertTrue(restoreErr <= 1e-5, name + " cross-backend restore " + restoreErr);
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void greedyGenerationWithTheArgmaxOnTheDevice(String name) {
        Fixture f = Fixture.load(name);
        SequenceModel model = ModelLoader.load(f.modelDir);
        int v = model.vocabSize();
        try (CudaEngine gpu = CudaEngine.create(model, f.modelDir, TestTuning.options().withMaxSlots(8))) {
            for (int b = 0; b < f.batch; b++) {
                int slot = gpu.openSlot();
                int[] out = new int[f.promptLength + f.newTokens];
                int[] prompt = f.promptOf(b);
                System.arraycopy(prompt, 0, out, 0, prompt.length);
                float[][] logits = new float[1][v];
                gpu.prefill(new int[] {slot}, new int[][] {prompt}, Output.LAST_LOGITS, logits);
                int next = Sampler.argmax(logits[0], 0, v);
                int[] got = new int[1];
                for (int i = 0; i < f.newTokens; i++) {
                    out[prompt.length + i] = next;
                    if (i + 1 < f.newTokens) {
                        gpu.stepGreedy(new int[] {slot}, new int[] {next}, 1, got);
                        next = got[0];
                    }
                }
                int[] expected = Arrays.copyOfRange(f.greedy, b * out.length, (b + 1) * out.length);
                assertArrayEquals(expected, out, name + " sequence " + b);
                gpu.closeSlot(slot);
            }
        }
    }

    static int[] open(Engine e, int n) {
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = e.openSlot();
        }
        return s;
    }

    static double stateError(SequenceModel model, byte[] a, byte[] b) {
        RecurrentState x = model.newState();
        RecurrentState y = model.newState();
        StateCodec.decode(a, model.fingerprint(), x);
        StateCodec.decode(b, model.fingerprint(), y);
        assertEquals(y.position(), x.position(), "positions");
        return Fixture.maxRelativeError(x.data(), y.data());
    }

    static double tailError(float[] rest, float[] full, int from, int v) {
        return Fixture.maxRelativeError(rest, Arrays.copyOfRange(full, from * v, from * v + rest.length));
    }
}
