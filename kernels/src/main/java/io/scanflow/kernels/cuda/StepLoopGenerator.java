package io.scanflow.kernels.cuda;

import io.scanflow.kernels.Output;
import io.scanflow.model.sampling.RandomState;
import io.scanflow.model.sampling.Sampler;
import io.scanflow.model.sampling.SamplingConfig;

/**
 * {@link CudaEngine#generate} for models the on-device generator does not run (Mamba-2, models past its
 * size limits, or {@code -Dscanflow.cuda.deviceGenerate=false}): one batched step per token, exactly the
 * loop a caller would write. Greedy: {@code stepGreedy}. Sampling: {@code stepSample} with the slots'
 * {@link RandomState} draws where it reproduces {@code Sampler} (1 <= top-k <= 64 and below the
 * vocabulary), else a logits step and the host {@code Sampler}.
 */
final class StepLoopGenerator {
    private StepLoopGenerator() {
    }

    static void run(CudaEngine engine, int[] slots, int[] firstTokens, int count, int steps, SamplingConfig sampling,
                    long[] rngStates, int[] outTokens) {
        int v = engine.model().vocabSize();
        int[] cur = java.util.Arrays.copyOf(firstTokens, count);
        int[] next = new int[count];
        RandomState[] rng = null;
        if (!sampling.greedy()) {
            rng = new RandomState[count];
            for (int i = 0; i < count; i++) {
                rng[i] = new RandomState(rngStates[i]);
            }
        }
        boolean deviceSampler = !sampling.greedy() && sampling.topK() >= 1 && sampling.topK() <= 64 && sampling.topK() < v;
        double[] uniforms = deviceSampler ? new double[count] : null;
        Sampler host = sampling.greedy() || deviceSampler ? null : new Sampler(sampling, v);
        float[] logits = host != null ? new float[count * v] : null;
        for (int t = 0; t < steps; t++) {
            if (sampling.greedy()) {
                engine.stepGreedy(slots, cur, count, next);
            } else if (deviceSampler) {
                for (int i = 0; i < count; i++) {
                    uniforms[i] = rng[i].nextDouble();
                }
                engine.stepSample(slots, cur, count, sampling, uniforms, next);
            } else {
                engine.step(slots, cur, count, Output.LAST_LOGITS, logits);
                for (int i = 0; i < count; i++) {
                    next[i] = host.sample(logits, i * v, v, rng[i]);
                }
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
