package io.scanflow.benchmarks;

import java.util.concurrent.ForkJoinPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two ceilings of this machine, measured in the same JVM as the benchmarks: a STREAM-like triad
 * (a = b + s*c over arrays far larger than the caches) for memory bandwidth, and independent vector FMA
 * chains on every core for peak float32 FLOP/s, in the preferred (widest) species, which is the one the
 * CPU kernels use. Each runs on its own pool of the requested size, not on the kernels' workers.
 */
final class MachineLimits {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    final double bandwidthBytesPerSecond;
    final double flopsPerSecond;

    private MachineLimits(double bandwidth, double flops) {
        this.bandwidthBytesPerSecond = bandwidth;
        this.flopsPerSecond = flops;
    }

    static MachineLimits measure(int threads) {
        return new MachineLimits(triad(threads), peakFlops(threads));
    }

    /** Best of several passes: bytes counted as two reads and one write per element. */
    static double triad(int threads) {
        int n = 1 << 25; // 128 MiB per array
        float[] a = new float[n], b = new float[n], c = new float[n];
        for (int i = 0; i < n; i++) {
            b[i] = i;
            c[i] = 1f / (i + 1);
        }
        warmUp(() -> triadRange(a, b, c, 0, 4096));
        ForkJoinPool pool = new ForkJoinPool(threads);
        double best = 0;
        for (int pass = 0; pass < 8; pass++) {
            long t0 = System.nanoTime();
            pool.submit(() -> java.util.stream.IntStream.range(0, threads).parallel().forEach(part ->
                    triadRange(a, b, c, (int) ((long) n * part / threads), (int) ((long) n * (part + 1) / threads))))
                    .join();
            double seconds = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, 12.0 * n / seconds);
        }
        pool.shutdown();
        if (a[n / 2] == 42f) {
            System.out.print("");
        }
        return best;
    }

    private static void triadRange(float[] a, float[] b, float[] c, int from, int to) {
        int i = from;
        for (; i + S.length() <= to; i += S.length()) {
            FloatVector.fromArray(S, c, i).mul(3f).add(FloatVector.fromArray(S, b, i)).intoArray(a, i);
        }
        for (; i < to; i++) {
            a[i] = b[i] + 3f * c[i];
        }
    }

    /**
     * Many short calls first, so that C2 compiles the method itself before a long timed call: a loop
     * that only ever got on-stack-replaced code can keep its vectors boxed on the heap, and then measures
     * the allocator instead of the machine.
     */
    private static void warmUp(Runnable call) {
        for (int i = 0; i < 3_000; i++) {
            call.run();
        }
    }

    static double peakFlops(int threads) {
        warmUp(() -> fmaChains(1_000));
        ForkJoinPool pool = new ForkJoinPool(threads);
        long iterations = 20_000_000L;
        double best = 0;
        for (int pass = 0; pass < 3; pass++) {
            long t0 = System.nanoTime();
            double sink = pool.submit(() -> java.util.stream.IntStream.range(0, threads).parallel()
                    .mapToDouble(part -> fmaChains(iterations)).sum()).join();
            double seconds = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, threads * iterations * 8.0 * S.length() * 2 / seconds);
            if (sink == 42) {
                System.out.print("");
            }
        }
        pool.shutdown();
        return best;
    }

    /** Eight independent FMA chains: enough to cover the FMA latency on current x86 and ARM cores. */
    private static double fmaChains(long iterations) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f), k = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3);
        FloatVector a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, k);
            a1 = a1.fma(m, k);
            a2 = a2.fma(m, k);
            a3 = a3.fma(m, k);
            a4 = a4.fma(m, k);
            a5 = a5.fma(m, k);
            a6 = a6.fma(m, k);
            a7 = a7.fma(m, k);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
