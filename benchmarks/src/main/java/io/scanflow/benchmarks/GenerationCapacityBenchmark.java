package io.scanflow.benchmarks;

import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.sampling.RandomState;
import io.scanflow.model.sampling.Sampler;
import io.scanflow.model.sampling.SamplingConfig;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How many mu-law generation sessions the CPU engine keeps at real time, engine alone (no Flink): one
 * batched step over B sessions plus sampling per output sample. Prints steps/s, samples/s and the
 * real-time factor (steps/s over the model's rate) for each B, best of three 1 s runs after a warm-up
 * run (the machine may be shared); a session count is real time when the factor is at least 1.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.scanflow.benchmarks.GenerationCapacityBenchmark MODEL_DIR RATE THREADS}
 */
public final class GenerationCapacityBenchmark {
    private GenerationCapacityBenchmark() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int rate = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        SequenceModel model = CpuEngine.loadModel(dir);
        int v = model.vocabSize();
        Sampler sampler = new Sampler(SamplingConfig.of(1f, 0, 1f), v);
        System.out.println("sessions\tsteps_per_s\tsamples_per_s\trealtime_factor");
        for (int b : new int[] {1, 2, 3, 4, 5, 6, 8, 16, 64}) {
            try (CpuEngine engine = new CpuEngine(model, threads, Math.max(256, b))) {
                int[] slots = new int[b];
                int[] tokens = new int[b];
                RandomState[] rng = new RandomState[b];
                for (int i = 0; i < b; i++) {
                    slots[i] = engine.openSlot();
                    tokens[i] = 128;
                    rng[i] = new RandomState(i + 1);
                }
                float[] logits = new float[b * v];
                double perSecond = 0;
                for (int repeat = 0; repeat < 4; repeat++) { // best of 3 timed runs after a warm-up run
                    int steps = 0;
                    long t0 = System.nanoTime();
                    while (System.nanoTime() - t0 < 1_000_000_000L) {
                        engine.step(slots, tokens, b, Output.LAST_LOGITS, logits);
                        for (int i = 0; i < b; i++) {
                            tokens[i] = sampler.sample(logits, i * v, v, rng[i]);
                        }
                        steps++;
                    }
                    if (repeat > 0) {
                        perSecond = Math.max(perSecond, steps / ((System.nanoTime() - t0) / 1e9));
                    }
                }
                System.out.println(String.format(Locale.ROOT, "%d\t%.0f\t%.0f\t%.2f", b, perSecond, perSecond * b,
                        perSecond / rate));
            }
        }
    }
}
