package io.scanflow.benchmarks;

import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.config.MambaConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Bases per second of a DNA read classifier's backbone on the CPU engine, the way the dna-classify job
 * calls it: many reads per {@code prefill}, each a fresh slot, mean-pooled hidden state out. Prints the
 * median and best round next to the machine's FMA peak measured in the same run.
 *
 * <pre>java --add-modules=jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     io.scanflow.benchmarks.DnaReadThroughput models/dna-apes [--threads 2] [--reads 4096] [--rounds 12]</pre>
 */
public final class DnaReadThroughput {
    private static final int READ_LENGTH = 150;

    private DnaReadThroughput() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: DnaReadThroughput MODEL_DIR [--threads N] [--reads N] [--rounds N]");
        }
        Path dir = Path.of(args[0]);
        int threads = 2;
        int reads = 4096;
        int rounds = 12;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--reads" -> reads = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("scanflow.threads", String.valueOf(threads));
        MachineLimits limits = MachineLimits.measure(threads);
        SequenceModel model = CpuEngine.loadModel(dir);
        int[][] tokens = randomReads(reads);
        float[][] out = new float[reads][model.hiddenSize()];
        double[] basesPerSecond = new double[rounds];
        try (CpuEngine engine = new CpuEngine(model, threads, 256)) {
            int[] slots = new int[reads];
            // Two untimed rounds let the JIT compile the kernels before anything is measured.
            for (int round = -2; round < rounds; round++) {
                for (int i = 0; i < reads; i++) {
                    slots[i] = engine.openSlot();
                }
                long t0 = System.nanoTime();
                engine.prefill(slots, tokens, Output.MEAN_HIDDEN, out);
                double seconds = (System.nanoTime() - t0) / 1e9;
                for (int s : slots) {
                    engine.closeSlot(s);
                }
                if (round >= 0) {
                    basesPerSecond[round] = (double) reads * READ_LENGTH / seconds;
                }
            }
        }
        Arrays.sort(basesPerSecond);
        double median = basesPerSecond[rounds / 2];
        double best = basesPerSecond[rounds - 1];
        double flopsPerBase = flopsPerBase((MambaConfig) model.config());
        System.out.printf("%s, %d threads, %d reads x %d bases per call, %d rounds%n", dir, threads, reads, READ_LENGTH, rounds);
        System.out.printf("peak float32 FMA measured in this run: %.1f GFLOP/s; work per base: %.1f kFLOP%n",
                limits.flopsPerSecond / 1e9, flopsPerBase / 1e3);
        System.out.printf("| bases/s median | bases/s best | GFLOP/s (median) | %% of peak |%n|---:|---:|---:|---:|%n");
        System.out.printf("| %,.0f | %,.0f | %.1f | %.0f%% |%n", median, best, median * flopsPerBase / 1e9,
                100 * median * flopsPerBase / limits.flopsPerSecond);
    }

    private static int[][] randomReads(int reads) {
        Random r = new Random(1);
        int[][] tokens = new int[reads][READ_LENGTH];
        for (int[] t : tokens) {
            for (int i = 0; i < READ_LENGTH; i++) {
                t[i] = 4 + r.nextInt(4); // A, C, G, T in the DNA vocabulary
            }
        }
        return tokens;
    }

    /** 2 FLOPs per multiply-add of the dense layers and the conv, 6 per state element of the scan. */
    static double flopsPerBase(MambaConfig c) {
        long d = c.hiddenSize();
        long e = c.intermediateSize();
        long n = c.stateSize();
        long macs = d * 2 * e + e * c.convKernel() + e * (c.dtRank() + 2 * n) + c.dtRank() * e + e * d;
        return c.numLayers() * (2.0 * macs + 6.0 * e * n);
    }
}
