package io.scanflow.jobs.dna;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bases per second of the shipped read classifier on the CPU engine alone (no Flink): reads of 150
 * bases, mean-pooled hidden state per read, all reads of a round in one {@code prefill} call.
 * Run with {@code -Dscanflow.bench=true}; optional {@code -Dscanflow.bench.threads=N} (default 2)
 * and {@code -Dscanflow.bench.reads=N} (default 512). Best of 3 rounds after a warm-up round.
 */
class DnaThroughputBenchmark {

    @Test
    void cpuEngineBasesPerSecond() {
        assumeTrue(Boolean.getBoolean("scanflow.bench"), "benchmark: run with -Dscanflow.bench=true");
        int threads = Integer.getInteger("scanflow.bench.threads", 2);
        int reads = Integer.getInteger("scanflow.bench.reads", 512);
        int length = 150;
        Path dir = Path.of(System.getProperty("scanflow.testdata", "../testdata")).toAbsolutePath().getParent()
                .resolve("models/dna-apes");
        SequenceModel model = CpuEngine.loadModel(dir);
        Random r = new Random(1);
        int[][] tokens = new int[reads][length];
        for (int[] t : tokens) {
            for (int i = 0; i < length; i++) {
                t[i] = 4 + r.nextInt(4);
            }
        }
        float[][] out = new float[reads][model.hiddenSize()];
        double best = 0;
        try (CpuEngine engine = new CpuEngine(model, threads, 256)) {
            int[] slots = new int[reads];
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < reads; i++) {
                    slots[i] = engine.openSlot();
                }
                long t0 = System.nanoTime();
                engine.prefill(slots, tokens, Output.MEAN_HIDDEN, out);
                double seconds = (System.nanoTime() - t0) / 1e9;
                for (int s : slots) {
                    engine.closeSlot(s);
                }
                if (round > 0) {
                    best = Math.max(best, (double) reads * length / seconds);
                }
            }
        }
        System.out.printf(Locale.ROOT, "dna-apes on the CPU engine, %d threads, %d reads x %d bases: %.0f bases/s%n",
                threads, reads, length, best);
    }
}
