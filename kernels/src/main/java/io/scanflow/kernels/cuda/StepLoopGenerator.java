package io.scanflow.kernels.cuda;

import io.scanflow.kernels.GenerationLoop;
import io.scanflow.model.sampling.RandomState;
import io.scanflow.model.sampling.SamplingConfig;

/**
 * {@link CudaEngine#generate} for models the on-device generator does not run (Mamba-2, models past its
 * size limits, or {@link io.scanflow.kernels.CudaTuning#deviceGenerate} off): one batched step per token, exactly the
 * loop a caller would write. Greedy: {@code stepGreedy}. Sampling: {@code stepSample} with the slots'
 * {@link RandomState} draws where it reproduces {@code Sampler} (1 <= top-k <= 64 and below the
 * vocabulary), else the engine-independent {@link GenerationLoop} (a logits step and the host {@code Sampler}).
 */
final class StepLoopGenerator {
    private StepLoopGenerator() {
    }

    static void run(CudaEngine engine, int[] slots, int[] firstTokens, int count, int steps, SamplingConfig sampling,
                    long[] rngStates, int[] outTokens) {
        int v = engine.model().vocabSize();
        boolean deviceSampler = !sampling.greedy() && sampling.topK() >= 1 && sampling.topK() <= 64 && sampling.topK() < v;
        if (!sampling.greedy() && !deviceSampler) {
            new GenerationLoop().generate(engine, slots, firstTokens, count, steps, sampling, rngStates, outTokens);
            return;
        }
        int[] cur = java.util.Arrays.copyOf(firstTokens, count);
        int[] next = new int[count];
        RandomState[] rng = null;
        double[] uniforms = null;
        if (deviceSampler) {
            rng = new RandomState[count];
            uniforms = new double[count];
            for (int i = 0; i < count; i++) {
                rng[i] = new RandomState(rngStates[i]);
            }
        }
        for (int t = 0; t < steps; t++) {
            if (sampling.greedy()) {
                engine.stepGreedy(slots, cur, count, next);
            } else {
                for (int i = 0; i < count; i++) {
                    uniforms[i] = rng[i].nextDouble();
                }
                engine.stepSample(slots, cur, count, sampling, uniforms, next);
            }
            for (int i = 0; i < count; i++) {
                outTokens[i * steps + t] = next[i];
            }
            int[] swap = cur;
            cur = next;
            next = swap;
        }
        if (rng != null) {
            for (int i = 0; i < count; i++) {
                rngStates[i] = rng[i].state();
            }
        }
    }
}
