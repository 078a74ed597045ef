package io.scanflow.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.kernels.EngineOptions;
import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.sampling.Sampler;
import io.scanflow.model.testing.Fixture;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The engine-level half of the Flink operator's exactly-once story, on the GPU: the operator's kind of
 * bundle sequence (prefill bundles of chunks for a changing subset of keys, then step bundles of
 * generated tokens), replayed against GPU-resident slots. At every simulated barrier the dirty slots are
 * written back as state bytes; at a simulated failure the engine is thrown away and a new one loads each
 * key's bytes on first use, as the operator does after a restore. The CPU engine runs the same sequence
 * without failures: every output must match it (1e-5 of the largest logit, the CPU/GPU tolerance of
 * CudaParityTest) and every greedy token must be identical. Skipped without a CUDA device.
 */
@RequiresCuda
class CudaBundleReplayTest {
    static final List<String> MODELS = List.of("mamba1-tied", "mamba2-basic");
    private static final int KEYS = 12;
    private static final int ROUNDS = 30;


    @ParameterizedTest
    @FieldSource("MODELS")
    void bundlesWithWriteBackAndRestoreMatchTheCpuEngine(String name) {
        Fixture f = Fixture.load(name);
        SequenceModel model = ModelLoader.load(f.modelDir);
        int v = model.vocabSize();
        EngineOptions opts = TestTuning.options().withMaxSlots(KEYS).withChunkLength(16).withCpuThreads(1);
        Random random = new Random(7);
        Map<Integer, byte[]> keyedState = new HashMap<>();
        int[] cpuSlot = new int[KEYS];
        int[] gpuSlot = new int[KEYS];
        int[] next = new int[KEYS];
        boolean[] dirty = new boolean[KEYS];
        double worst = 0;
        int restores = 0;
        int tokensChecked = 0;
        CudaEngine gpu = CudaEngine.create(model, f.modelDir, opts);
        try (CpuEngine cpu = new CpuEngine(model, 1, 16)) {
            for (int k = 0; k < KEYS; k++) {
                cpuSlot[k] = cpu.openSlot();
                gpuSlot[k] = gpu.openSlot();
                next[k] = (k * 7 + 1) % v;
            }
            for (int round = 0; round < ROUNDS; round++) {
                int[] keys = subset(random);
                int[] cs = new int[keys.length];
                int[] gs = new int[keys.length];
                for (int i = 0; i < keys.length; i++) {
                    cs[i] = cpuSlot[keys[i]];
                    if (gpuSlot[keys[i]] < 0) {
                        // First use after the restore: the slot comes back from keyed state.
                        gpuSlot[keys[i]] = gpu.openSlot();
                        gpu.loadSlot(gpuSlot[keys[i]], keyedState.get(keys[i]));
                    }
                    gs[i] = gpuSlot[keys[i]];
                    dirty[keys[i]] = true;
                }
                if (round % 2 == 0) {
                    int[][] chunks = new int[keys.length][];
                    float[][] outCpu = new float[keys.length][v];
                    float[][] outGpu = new float[keys.length][v];
                    for (int i = 0; i < keys.length; i++) {
                        chunks[i] = new int[1 + random.nextInt(9)];
                        for (int t = 0; t < chunks[i].length; t++) {
                            chunks[i][t] = random.nextInt(v);
                        }
                    }
                    cpu.prefill(cs, chunks, Output.LAST_LOGITS, outCpu);
                    gpu.prefill(gs, chunks, Output.LAST_LOGITS, outGpu);
                    for (int i = 0; i < keys.length; i++) {
                        worst = Math.max(worst, Fixture.maxRelativeError(outGpu[i], outCpu[i]));
                        next[keys[i]] = Sampler.argmax(outCpu[i], 0, v);
                    }
                } else {
                    int[] tokens = new int[keys.length];
                    for (int i = 0; i < keys.length; i++) {
                        tokens[i] = next[keys[i]];
                    }
                    float[] outCpu = new float[keys.length * v];
                    float[] outGpu = new float[keys.length * v];
                    cpu.step(cs, tokens, keys.length, Output.LAST_LOGITS, outCpu);
                    gpu.step(gs, tokens, keys.length, Output.LAST_LOGITS, outGpu);
                    worst = Math.max(worst, Fixture.maxRelativeError(outGpu, outCpu));
                    for (int i = 0; i < keys.length; i++) {
                        int c = Sampler.argmax(outCpu, i * v, v);
                        assertEquals(c, Sampler.argmax(outGpu, i * v, v), "greedy token of key " + keys[i] + " in round " + round);
                        next[keys[i]] = c;
                        tokensChecked++;
                    }
                }
                if (round % 3 == 2) {
                    // Barrier: write the dirty slots back to keyed state.
                    for (int k = 0; k < KEYS; k++) {
                        if (dirty[k] && gpuSlot[k] >= 0) {
                            keyedState.put(k, gpu.saveSlot(gpuSlot[k]));
                            dirty[k] = false;
                        }
                    }
                    for (int k = 0; k < KEYS; k++) {
                        if (gpuSlot[k] >= 0) {
                            assertEquals(cpu.position(cpuSlot[k]), gpu.position(gpuSlot[k]), "key " + k + " position at the barrier");
                        }
                    }
                    if (round % 9 == 8) {
                        // Failure right after the checkpoint: a fresh engine, slots load lazily.
                        gpu.close();
                        gpu = CudaEngine.create(model, f.modelDir, opts);
                        Arrays.fill(gpuSlot, -1);
                        for (int k = 0; k < KEYS; k++) {
                            if (!keyedState.containsKey(k)) {
                                keyedState.put(k, cpu.saveSlot(cpuSlot[k]));
                            }
                        }
                        restores++;
                    }
                }
            }
        } finally {
            gpu.close();
        }
        System.out.printf("cuda-replay %-12s rounds %d, restores %d, greedy tokens %d, max rel err vs cpu %.2e%n",
                name, ROUNDS, restores, tokensChecked, worst);
        assertTrue(restores >= 3);
        assertTrue(worst <= 1e-5, name + ": GPU vs CPU " + worst);
    }

    private static int[] subset(Random random) {
        int n = 3 + random.nextInt(KEYS - 3);
        int[] all = new int[KEYS];
        for (int i = 0; i < KEYS; i++) {
            all[i] = i;
        }
        for (int i = KEYS - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] keys = Arrays.copyOf(all, n);
        Arrays.sort(keys);
        return keys;
    }
}
