package io.scanflow.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.kernels.CudaTuning;
import io.scanflow.kernels.EngineOptions;
import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.sampling.RandomState;
import io.scanflow.model.sampling.Sampler;
import io.scanflow.model.sampling.SamplingConfig;
import io.scanflow.model.testing.Fixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * {@link CudaEngine#generate} against the CPU engine driven step by step with {@link Sampler} and
 * {@link RandomState}: the Mamba-1 fixtures and the shipped mu-law generator on the on-device generator,
 * greedy and sampled (same tokens, same advanced random states, final states within 1e-5), split calls
 * equal to one call bit for bit, generation mixed with steps and prefill, and the step-loop fallback.
 * Skipped without a CUDA device.
 */
@RequiresCuda
class CudaGenerateTest {
    static final List<String> MODELS = mamba1Models();
    static final List<SamplingConfig> SAMPLINGS = List.of(SamplingConfig.of(1f, 0, 1f), SamplingConfig.of(1f, 40, 1f),
            SamplingConfig.of(1f, 0, 0.95f), SamplingConfig.of(1f, 40, 0.95f), SamplingConfig.of(0.7f, 5, 0.9f));


    private static List<String> mamba1Models() {
        List<String> names = new ArrayList<>();
        for (String f : Fixture.ALL) {
            if (f.startsWith("mamba1")) {
                names.add(f);
            }
        }
        names.add("mulaw-generator");
        return names;
    }

    /** The shipped models' folder (next to testdata unless -Dscanflow.models says otherwise). */
    static Path modelDir(String name) {
        if (name.startsWith("mamba")) {
            return Fixture.root().resolve("models").resolve(name);
        }
        String p = System.getProperty("scanflow.models");
        return (p != null ? Path.of(p) : Fixture.root().resolveSibling("models")).resolve(name);
    }

    /** A CPU and a GPU engine with the same slots primed by the same random prompts. */
    private static final class Pair implements AutoCloseable {
        final SequenceModel model;
        final CpuEngine cpu;
        final CudaEngine gpu;
        final int[] cs, gs;
        final int v;

        Pair(String name, int count, long seed) {
            this(name, count, seed, TestTuning.fromSystemProperties());
        }

        Pair(String name, int count, long seed, CudaTuning tuning) {
            Path dir = modelDir(name);
            model = ModelLoader.load(dir);
            v = model.vocabSize();
            cpu = new CpuEngine(model, 4, 64);
            gpu = CudaEngine.create(model, dir, EngineOptions.defaults().withMaxSlots(Math.max(64, 2 * count)).withCuda(tuning));
            cs = CudaParityTest.open(cpu, count);
            gs = CudaParityTest.open(gpu, count);
            Random rnd = new Random(seed);
            int[][] prompts = new int[count][];
            for (int i = 0; i < count; i++) {
                prompts[i] = randomTokens(rnd, 1 + rnd.nextInt(12), v);
            }
            cpu.prefill(cs, prompts, Output.NONE, null);
            gpu.prefill(gs, prompts, Output.NONE, null);
        }

        double stateError() {
            double e = 0;
            for (int i = 0; i < cs.length; i++) {
                e = Math.max(e, CudaParityTest.stateError(model, gpu.saveSlot(gs[i]), cpu.saveSlot(cs[i])));
            }
            return e;
        }

        @Override
        public void close() {
            gpu.close();
            cpu.close();
        }
    }

    static int[] randomTokens(Random rnd, int n, int v) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = rnd.nextInt(v);
        }
        return t;
    }

    /** The reference: one CPU step per token, the next token from Sampler with the slot's RandomState. */
    static void cpuGenerate(CpuEngine cpu, int[] slots, int[] first, int steps, SamplingConfig sampling, long[] rng,
                            int[] out) {
        int n = slots.length;
        int v = cpu.model().vocabSize();
        Sampler sampler = new Sampler(sampling, v);
        RandomState[] rs = new RandomState[n];
        for (int i = 0; i < n; i++) {
            rs[i] = new RandomState(rng == null ? 0 : rng[i]);
        }
        int[] cur = first.clone();
        float[] logits = new float[n * v];
        for (int t = 0; t < steps; t++) {
            cpu.step(slots, cur, n, Output.LAST_LOGITS, logits);
            for (int i = 0; i < n; i++) {
                cur[i] = sampler.sample(logits, i * v, v, rs[i]);
                out[i * steps + t] = cur[i];
            }
        }
        if (rng != null) {
            for (int i = 0; i < n; i++) {
                rng[i] = rs[i].state();
            }
        }
    }

    static int[] poisoned(int n) {
        int[] t = new int[n];
        Arrays.fill(t, -1);
        return t;
    }

    static int[] lastTokens(int[] out, int count, int steps) {
        int[] last = new int[count];
        for (int i = 0; i < count; i++) {
            last[i] = out[i * steps + steps - 1];
        }
        return last;
    }

    @ParameterizedTest
    @FieldSource("MODELS")
    void greedyMatchesTheCpuStepByStep(String name) {
        int count = 37;
        try (Pair p = new Pair(name, count, 1)) {
            assertTrue(p.gpu.deviceGenerate(), name + " should run on the on-device generator");
            int[] first = randomTokens(new Random(2), count, p.v);
            // 64 steps with slot groups chosen by count, then 192 with groups of 8 (a partial last group).
            int[] k1 = {64, 192};
            int[] from = first;
            int[] cpuFrom = first;
            for (int call = 0; call < 2; call++) {
                int k = k1[call];
                p.gpu.generator().setSlotsPerBlock(call == 0 ? 0 : 8);
                int[] got = poisoned(count * k);
                p.gpu.generate(p.gs, from, count, k, SamplingConfig.greedyDecoding(), null, got);
                int[] want = new int[count * k];
                cpuGenerate(p.cpu, p.cs, cpuFrom, k, SamplingConfig.greedyDecoding(), null, want);
                assertArrayEquals(want, got, name + " greedy tokens, call " + call);
                from = lastTokens(got, count, k);
                cpuFrom = lastTokens(want, count, k);
            }
            double err = p.stateError();
            System.out.printf("cuda-generate %-20s greedy 37 slots x 256 steps: tokens equal, state vs cpu %.2e%n", name, err);
            assertTrue(err <= 1e-5, name + " final states differ by " + err);
            assertEquals(p.cpu.position(p.cs[0]), p.gpu.position(p.gs[0]));
        }
    }

    @ParameterizedTest
    @FieldSource("MODELS")
    void sampledMatchesSamplerAndRandomState(String name) {
        int count = 9, steps = 64;
        try (Pair p = new Pair(name, count * SAMPLINGS.size(), 3)) {
            double err = 0;
            for (int c = 0; c < SAMPLINGS.size(); c++) {
                SamplingConfig sc = SAMPLINGS.get(c);
                int[] gs = Arrays.copyOfRange(p.gs, c * count, (c + 1) * count);
                int[] cs = Arrays.copyOfRange(p.cs, c * count, (c + 1) * count);
                Random rnd = new Random(10 + c);
                int[] first = randomTokens(rnd, count, p.v);
                long[] seeds = new long[count];
                for (int i = 0; i < count; i++) {
                    seeds[i] = rnd.nextLong();
                }
                long[] gpuRng = seeds.clone();
                long[] cpuRng = seeds.clone();
                int[] got = poisoned(count * steps);
                p.gpu.generate(gs, first, count, steps, sc, gpuRng, got);
                int[] want = new int[count * steps];
                cpuGenerate(p.cpu, cs, first, steps, sc, cpuRng, want);
                assertArrayEquals(want, got, name + " sampled tokens with " + sc);
                assertArrayEquals(cpuRng, gpuRng, name + " random states after sampling with " + sc);
            }
            err = p.stateError();
            System.out.printf("cuda-generate %-20s sampled %d configs x %d slots x %d steps: tokens and rng equal, state %.2e%n",
                    name, SAMPLINGS.size(), count, steps, err);
            assertTrue(err <= 1e-5, name + " final states differ by " + err);
        }
    }

    @ParameterizedTest
    @FieldSource("MODELS")
    void twoCallsEqualOneBitForBit(String name) {
        int count = 11;
        try (Pair p = new Pair(name, 2 * count, 4)) {
            int[] a = Arrays.copyOfRange(p.gs, 0, count);
            int[] b = Arrays.copyOfRange(p.gs, count, 2 * count);
            for (int i = 0; i < count; i++) {
                p.gpu.loadSlot(b[i], p.gpu.saveSlot(a[i]));
            }
            int[] first = randomTokens(new Random(5), count, p.v);
            for (SamplingConfig sc : List.of(SamplingConfig.greedyDecoding(), SamplingConfig.of(1f, 0, 0.95f))) {
                long[] rngA = new long[count];
                for (int i = 0; i < count; i++) {
                    rngA[i] = 1000 + i;
                }
                long[] rngB = rngA.clone();
                int k1 = 50, k2 = 78;
                int[] one = poisoned(count * (k1 + k2));
                p.gpu.generator().setSlotsPerBlock(0);
                p.gpu.generate(a, first, count, k1 + k2, sc, rngA, one);
                int[] x1 = poisoned(count * k1);
                int[] x2 = poisoned(count * k2);
                p.gpu.generator().setSlotsPerBlock(4);  // other slot groups: results must not depend on them
                p.gpu.generate(b, first, count, k1, sc, rngB, x1);
                p.gpu.generate(b, lastTokens(x1, count, k1), count, k2, sc, rngB, x2);
                for (int i = 0; i < count; i++) {
                    int[] split = new int[k1 + k2];
                    System.arraycopy(x1, i * k1, split, 0, k1);
                    System.arraycopy(x2, i * k2, split, k1, k2);
                    assertArrayEquals(Arrays.copyOfRange(one, i * (k1 + k2), (i + 1) * (k1 + k2)), split,
                            name + " slot " + i + " " + sc);
                    assertArrayEquals(p.gpu.saveSlot(a[i]), p.gpu.saveSlot(b[i]), name + " state bytes of slot " + i);
                }
                assertArrayEquals(rngA, rngB, name + " random states");
                first = lastTokens(one, count, k1 + k2);
            }
            p.gpu.generator().setSlotsPerBlock(0);
        }
    }

    @ParameterizedTest
    @FieldSource("MODELS")
    void generationMixesWithStepsAndPrefill(String name) {
        int count = 6;
        try (Pair p = new Pair(name, count, 6)) {
            Random rnd = new Random(7);
            int[] first = randomTokens(rnd, count, p.v);
            int k = 32;
            int[] got = new int[count * k];
            int[] want = new int[count * k];
            p.gpu.generate(p.gs, first, count, k, SamplingConfig.greedyDecoding(), null, got);
            cpuGenerate(p.cpu, p.cs, first, k, SamplingConfig.greedyDecoding(), null, want);
            assertArrayEquals(want, got, name + " first generate");
            // Three single steps with logits out, then a prefill chunk per slot, then generate again.
            float[] gl = new float[count * p.v];
            float[] cl = new float[count * p.v];
            int[] tok = lastTokens(got, count, k);
            for (int t = 0; t < 3; t++) {
                p.gpu.step(p.gs, tok, count, Output.LAST_LOGITS, gl);
                p.cpu.step(p.cs, tok, count, Output.LAST_LOGITS, cl);
                assertTrue(Fixture.maxRelativeError(gl, cl) <= 1e-5, name + " step after generate");
                for (int i = 0; i < count; i++) {
                    tok[i] = Sampler.argmax(cl, i * p.v, p.v);
                }
            }
            int[][] chunk = new int[count][];
            for (int i = 0; i < count; i++) {
                chunk[i] = randomTokens(rnd, 5, p.v);
            }
            p.gpu.prefill(p.gs, chunk, Output.NONE, null);
            p.cpu.prefill(p.cs, chunk, Output.NONE, null);
            long[] rg = {1, 2, 3, 4, 5, 6};
            long[] rc = rg.clone();
            p.gpu.generate(p.gs, tok, count, k, SamplingConfig.of(1f, 40, 0.95f), rg, got);
            cpuGenerate(p.cpu, p.cs, tok, k, SamplingConfig.of(1f, 40, 0.95f), rc, want);
            assertArrayEquals(want, got, name + " generate after steps and prefill");
            assertArrayEquals(rc, rg);
            assertEquals(p.cpu.position(p.cs[0]), p.gpu.position(p.gs[0]));
            double err = p.stateError();
            assertTrue(err <= 1e-5, name + " final states differ by " + err);
        }
    }

    /** The step-loop path: Mamba-2 always, Mamba-1 when the on-device generator is switched off. */
    @Test
    void stepLoopFallbackMatchesTheCpu() {
        for (String name : List.of("mamba1-untied-bias", "mamba2-groups")) {
            int count = 5, k = 24;
            try (Pair p = new Pair(name, 3 * count, 8, TestTuning.fromSystemProperties().withDeviceGenerate(false))) {
                assertTrue(!p.gpu.deviceGenerate());
                List<SamplingConfig> configs = List.of(SamplingConfig.greedyDecoding(), SamplingConfig.of(1f, 20, 1f),
                        SamplingConfig.of(1f, 0, 0.95f));
                for (int c = 0; c < configs.size(); c++) {
                    int[] gs = Arrays.copyOfRange(p.gs, c * count, (c + 1) * count);
                    int[] cs = Arrays.copyOfRange(p.cs, c * count, (c + 1) * count);
                    int[] first = randomTokens(new Random(c), count, p.v);
                    long[] rg = {11, 12, 13, 14, 15};
                    long[] rc = rg.clone();
                    int[] got = poisoned(count * k);
                    int[] want = new int[count * k];
                    p.gpu.generate(gs, first, count, k, configs.get(c), rg, got);
                    cpuGenerate(p.cpu, cs, first, k, configs.get(c), rc, want);
                    assertArrayEquals(want, got, name + " fallback " + configs.get(c));
                    if (!configs.get(c).greedy()) {
                        assertArrayEquals(rc, rg);
                    }
                }
                assertTrue(p.stateError() <= 1e-5);
            }
        }
    }
}
