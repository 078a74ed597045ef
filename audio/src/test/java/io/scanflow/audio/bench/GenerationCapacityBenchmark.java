package io.scanflow.audio.bench;

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
 * real-time factor (steps/s over the model's rate) for each B; a session count is real time when the
 * factor is at least 1.
 *
 * <p>Run: {@code java -cp ... io.scanflow.audio.bench.GenerationCapacityBenchmark MODEL_DIR RATE THREADS}
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
        for (int b : new int[] {1, 2, 3, 4, 6, 8, 16, 64}) {
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
                long deadline = System.nanoTime() + 300_000_000L;
                int steps = 0;
                long t0 = 0;
                while (true) {
                    if (steps == 200) {
                        t0 = System.nanoTime(); // after warm-up
                    }
                    engine.step(slots, tokens, b, Output.LAST_LOGITS, logits);
                    for (int i = 0; i < b; i++) {
                        tokens[i] = sampler.sample(logits, i * v, v, rng[i]);
                    }
                    steps++;
                    if (steps > 400 && System.nanoTime() > deadline + 1_500_000_000L) {
                        break;
                    }
                }
                double perSecond = (steps - 200) / ((System.nanoTime() - t0) / 1e9);
                System.out.println(String.format(Locale.ROOT, "%d\t%.0f\t%.0f\t%.2f", b, perSecond, perSecond * b,
                        perSecond / rate));
            }
        }
    }
}
