package io.scanflow.benchmarks;

import io.scanflow.kernels.cpu.CpuPool;
import io.scanflow.kernels.cpu.VectorKernels;
import java.util.Arrays;
import java.util.Random;

/**
 * GFLOP/s of the CPU backend's dense layer ({@code VectorKernels.linear}) alone, at the shapes of a
 * mamba-130m batched step, next to the FMA peak of the same cores measured in the same run. It separates
 * the GEMM from the rest of a step: when the step is far from the peak, this says whether the GEMM is.
 * The thread count is the JVM's processor count: set it with {@code -XX:ActiveProcessorCount=N}.
 *
 * <pre>java --add-modules=jdk.incubator.vector -XX:ActiveProcessorCount=16 -cp benchmarks/target/benchmarks.jar \
 *     io.scanflow.benchmarks.DenseLayerThroughput [--rows 256] [--rounds 15]</pre>
 */
public final class DenseLayerThroughput {
    /** name, in, out: the layers of one mamba-130m block and its LM head. */
    private static final Object[][] LAYERS = {
            {"in_proj", 768, 3072}, {"x_proj", 1536, 80}, {"dt_proj", 48, 1536}, {"out_proj", 1536, 768},
            {"lm_head", 768, 50280}};

    private static final long WARM_UP_NANOS = 1_000_000_000L;

    private DenseLayerThroughput() {}

    public static void main(String[] args) {
        int rows = 256;
        int rounds = 15;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --rows N, --rounds N)");
            }
        }
        int threads = CpuPool.parallelism();
        MachineLimits limits = MachineLimits.measure(threads);
        System.out.printf("dense layers, %d rows, %d threads; peak float32 FMA measured in this run: %.1f GFLOP/s%n",
                rows, threads, limits.flopsPerSecond / 1e9);
        System.out.println("| layer | rows x in x out | ms median | GFLOP/s | % of peak |");
        System.out.println("|---|---|---:|---:|---:|");
        Random random = new Random(7);
        for (Object[] layer : LAYERS) {
            int in = (Integer) layer[1];
            int out = (Integer) layer[2];
            float[] x = randomArray(random, rows * in);
            float[] w = VectorKernels.INSTANCE.prepareLinear(randomArray(random, out * in), out, in);
            float[] y = new float[rows * out];
            // At least a second of untimed calls first: each layer shape takes its own kernels (wide or
            // narrow panels, partial panels, leftover rows), which must be compiled before they are timed.
            for (long end = System.nanoTime() + WARM_UP_NANOS; System.nanoTime() < end; ) {
                VectorKernels.INSTANCE.linear(x, 0, in, rows, in, w, null, out, y, 0, out);
            }
            double[] seconds = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                VectorKernels.INSTANCE.linear(x, 0, in, rows, in, w, null, out, y, 0, out);
                seconds[round] = (System.nanoTime() - t0) / 1e9;
            }
            Arrays.sort(seconds);
            double median = seconds[rounds / 2];
            double flops = 2.0 * rows * in * out;
            System.out.printf("| %s | %d x %d x %d | %.3f | %.1f | %.0f%% |%n", layer[0], rows, in, out, median * 1e3,
                    flops / median / 1e9, 100 * flops / median / limits.flopsPerSecond);
        }
    }

    private static float[] randomArray(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }
}
