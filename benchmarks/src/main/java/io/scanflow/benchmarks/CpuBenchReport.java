package io.scanflow.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The CPU backend's benchmark table: runs the JMH step and prefill benchmarks, measures the machine's
 * memory bandwidth and peak FLOP/s in the same run, and prints each figure with the fraction of the limit
 * that binds it and, when given a peer result file, PyTorch's figure for the same shape and threads.
 *
 * <pre>java --add-modules=jdk.incubator.vector -jar benchmarks/target/benchmarks.jar [--threads N] [--full] [--peer FILE.json]
 *     [--shapes AUDIO,DNA,MAMBA_130M] [--batches 1,16,...] [--no-prefill]</pre>
 * {@code --shapes}, {@code --batches} and {@code --no-prefill} narrow the run (a thread sweep, a single row).
 *
 * <p>Each figure is the best of {@value #ITERATIONS} one-second iterations (each the mean over every call
 * in it), as the limits are the best of their passes and the PyTorch peer the best of its repeats: on a
 * shared host, other tenants' bursts slow single seconds of any of the three.
 */
public final class CpuBenchReport {
    /**
     * A step allocates nothing but JMH's own few hundred bytes; above this, some vector operation ran as
     * Java code, one object per operation (docs/performance.md, "the boxing hazard").
     */
    private static final double BOXED_BYTES_PER_STEP = 64 * 1024;
    /** Fresh JVMs a boxed step row is measured in again before its boxed figure is kept. */
    private static final int RERUNS = 2;
    /** Measured one-second iterations per row. */
    private static final int ITERATIONS = 5;

    private CpuBenchReport() {}

    public static void main(String[] args) throws RunnerException, IOException {
        int threads = Runtime.getRuntime().availableProcessors();
        boolean full = false;
        JsonNode peer = null;
        String[] stepShapes = {"AUDIO", "DNA", "MAMBA_130M"};
        String batchesOption = null;
        boolean prefill = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads":
                    threads = Integer.parseInt(args[++i]);
                    break;
                case "--full":
                    full = true;
                    break;
                case "--peer":
                    peer = new ObjectMapper().readTree(Files.readString(Path.of(args[++i])));
                    break;
                case "--shapes":
                    stepShapes = args[++i].split(",");
                    for (String shape : stepShapes) {
                        ModelShape.valueOf(shape); // a misspelt shape fails here, before any run
                    }
                    break;
                case "--batches":
                    batchesOption = args[++i];
                    break;
                case "--no-prefill":
                    prefill = false;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i] + " (options: --threads N, --full,"
                            + " --peer FILE.json, --shapes A,B, --batches 1,16, --no-prefill)");
            }
        }
        System.setProperty("scanflow.threads", String.valueOf(threads));
        MachineLimits limits = MachineLimits.measure(threads);
        System.out.printf("%n# CPU backend benchmarks, %s, %d threads, %s%n", LocalDate.now(), threads, cpuName());
        System.out.printf("Limits measured in this run: triad bandwidth %.1f GB/s, peak float32 FMA %.1f GFLOP/s%n%n",
                limits.bandwidthBytesPerSecond / 1e9, limits.flopsPerSecond / 1e9);

        List<String[]> stepRows = new ArrayList<>();
        List<String> boxed = new ArrayList<>();
        for (String shape : stepShapes) {
            String batches = batchesOption != null ? batchesOption
                    : shape.equals("MAMBA_130M") ? (full ? "1,16,64,256" : "1,16,64") : "1,16,64,256,1024";
            for (RunResult first : run(StepBenchmark.class, threads, shape, "batch", batches, true)) {
                int batch = Integer.parseInt(first.getParams().getParam("batch"));
                RunResult r = first;
                // A JVM that boxed measured Java fallback code, not the kernels: the row is measured again in
                // a fresh JVM (up to RERUNS times), and every boxed JVM is listed under the table.
                for (int rerun = 0; allocatedPerStep(r) > BOXED_BYTES_PER_STEP; rerun++) {
                    boxed.add(String.format("%s batch %d: %,.0f B per step%s", shape.toLowerCase(), batch,
                            allocatedPerStep(r), rerun < RERUNS ? ", measured again in a new JVM" : ", kept"));
                    if (rerun == RERUNS) {
                        break;
                    }
                    r = run(StepBenchmark.class, threads, shape, "batch", String.valueOf(batch), true).iterator().next();
                }
                ModelShape s = ModelShape.valueOf(shape);
                double seconds = bestIteration(r) * 1e-6;
                double tokensPerSecond = batch / seconds;
                double bytes = 4.0 * (s.layerParameters() + s.headParameters()) + batch * (2.0 * s.stateBytes() + 4.0 * s.vocab);
                double flops = (double) batch * s.flopsPerToken();
                stepRows.add(row(shape, "batch " + batch, tokensPerSecond, seconds, bytes, flops, limits,
                        peerValue(peer, "step", shape, batch), String.format("%.0f", allocatedPerStep(r))));
            }
        }
        print("Recurrent step (LM head included): tokens/s = batch / step time", "B/op", stepRows);
        for (String row : boxed) {
            System.out.printf("BOXED %s: a vector operation ran as Java code in that JVM (C2 did not compile it to"
                    + " SIMD), so its time was not the kernels'%n", row);
        }
        if (!prefill) {
            return;
        }

        List<String[]> prefillRows = new ArrayList<>();
        for (String shape : stepShapes) {
            String lengths = shape.equals("MAMBA_130M") ? "1024,4096" : "1024,16384,65536";
            for (RunResult r : run(PrefillBenchmark.class, threads, shape, "length", lengths, false)) {
                int length = Integer.parseInt(r.getParams().getParam("length"));
                ModelShape s = ModelShape.valueOf(shape);
                double seconds = bestIteration(r) * 1e-3;
                double flops = (double) length * (s.flopsPerToken() - 2.0 * s.headParameters()) + 2.0 * s.headParameters();
                double bytes = 4.0 * (s.layerParameters() + s.headParameters()) * Math.ceil(length / 1024.0);
                prefillRows.add(row(shape, "L " + length, length / seconds, seconds, bytes, flops, limits,
                        peerValue(peer, "prefill", shape, length), ""));
            }
        }
        print("Prefill of one stream (chunks of 1024, last-position logits): tokens/s", "", prefillRows);
    }

    /** The fastest measured iteration's mean time per call, in the benchmark's unit. */
    private static double bestIteration(RunResult r) {
        return r.getPrimaryResult().getStatistics().getMin();
    }

    /** JMH's normalised allocation rate: bytes allocated per step. */
    private static double allocatedPerStep(RunResult r) {
        Result<?> gc = r.getSecondaryResults().get("gc.alloc.rate.norm");
        return gc == null ? 0 : gc.getScore();
    }

    private static Collection<RunResult> run(Class<?> benchmark, int threads, String shape, String param,
                                             String values, boolean gc) throws RunnerException {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(benchmark.getSimpleName())
                .param("shape", shape)
                .param(param, values.split(","))
                .forks(1)
                .warmupIterations(4).warmupTime(TimeValue.seconds(1))
                .measurementIterations(ITERATIONS).measurementTime(TimeValue.seconds(1))
                // The pool is sized to the JVM's processor count: capping it keeps every kernel to the threads
                // the limits were measured with.
                .jvmArgsAppend("--add-modules=jdk.incubator.vector", "-Xmx6g", "-Dscanflow.threads=" + threads,
                        "-XX:ActiveProcessorCount=" + threads)
                .shouldFailOnError(true);
        if (gc) {
            b.addProfiler(GCProfiler.class);
        }
        return new Runner(b.build()).run();
    }

    private static String[] row(String shape, String size, double tokensPerSecond, double seconds, double bytes,
                                double flops, MachineLimits limits, double peer, String extra) {
        double bandwidthFraction = bytes / seconds / limits.bandwidthBytesPerSecond;
        double flopFraction = flops / seconds / limits.flopsPerSecond;
        String binds = bandwidthFraction >= flopFraction ? "memory" : "FLOPs";
        return new String[] {shape.toLowerCase(), size, String.format("%,.0f", tokensPerSecond),
                String.format("%.1f", bytes / seconds / 1e9), String.format("%.0f%%", 100 * bandwidthFraction),
                String.format("%.1f", flops / seconds / 1e9), String.format("%.0f%%", 100 * flopFraction), binds,
                Double.isNaN(peer) ? "-" : String.format("%,.0f", peer),
                Double.isNaN(peer) ? "-" : String.format("%.1fx", tokensPerSecond / peer), extra};
    }

    private static double peerValue(JsonNode peer, String kind, String shape, int size) {
        if (peer == null) {
            return Double.NaN;
        }
        JsonNode v = peer.path(kind).path(shape).path(String.valueOf(size));
        return v.isNumber() ? v.doubleValue() : Double.NaN;
    }

    private static void print(String title, String extraHeader, List<String[]> rows) {
        System.out.printf("## %s%n%n", title);
        System.out.println("| model | size | tokens/s | GB/s | % bandwidth | GFLOP/s | % peak FLOPs | binds | PyTorch tokens/s | ratio |"
                + (extraHeader.isEmpty() ? "" : " " + extraHeader + " |"));
        System.out.println("|---|---|---:|---:|---:|---:|---:|---|---:|---:|" + (extraHeader.isEmpty() ? "" : "---:|"));
        for (String[] r : rows) {
            int cols = extraHeader.isEmpty() ? r.length - 1 : r.length;
            StringBuilder line = new StringBuilder("|");
            for (int i = 0; i < cols; i++) {
                line.append(' ').append(r[i]).append(" |");
            }
            System.out.println(line);
        }
        System.out.println();
    }

    private static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the OS name is enough
        }
        return System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }
}
