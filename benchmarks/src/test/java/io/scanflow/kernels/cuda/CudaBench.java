package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Launcher.args;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanflow.kernels.CudaTuning;
import io.scanflow.kernels.EngineOptions;
import io.scanflow.kernels.Output;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.testing.Fixture;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA backend's benchmarks, printed as markdown tables next to the HF transformers figures that
 * {@code kernels/bench/hf_bench.py} measured in the same run on the same GPU (read from its JSON).
 *
 * <pre>
 *   java ... io.scanflow.kernels.cuda.CudaBench MODELS_DIR HF_JSON OUT_MD [sections]
 * </pre>
 * MODELS_DIR holds the random-weight checkpoints the Python side saved (mamba-130m, mamba-370m, audio);
 * sections: copy,gemm,scan,prefill,step,audio,check,generate,dna (default all). The shipped models
 * (mulaw-generator, dna-apes) are read from {@code -Dscanflow.models} (default {@code models}).
 *
 * <p>Method: device work timed with CUDA events (kernels) or the host clock around a synchronous engine
 * call (whole model); warm-up runs first; medians over repeats; inputs are random (never zeros).
 */
public final class CudaBench {
    private static final Locale L = Locale.ROOT;

    private final Path models;
    private final JsonNode hf;
    private final PrintStream out;
    private final StringBuilder md = new StringBuilder();
    private final CudaDevice device;
    private final CUstream stream = new CUstream();
    private final Launcher launcher;
    private double copyGBs = Double.NaN;

    private CudaBench(Path models, JsonNode hf, PrintStream out) {
        this.models = models;
        this.hf = hf;
        this.out = out;
        this.device = CudaDevice.get(0);
        Cuda.check(JCudaDriver.cuStreamCreate(stream, 0), "cuStreamCreate");
        this.launcher = new Launcher(device, stream, TestTuning.fromSystemProperties());
    }

    public static void main(String[] a) throws IOException {
        Path models = Path.of(a[0]);
        Path hfJson = Path.of(a[1]);
        Path outMd = Path.of(a[2]);
        List<String> sections = Arrays.asList((a.length > 3 ? a[3] : "copy,gemm,scan,prefill,step,audio,check,generate,dna").split(","));
        JsonNode hf = Files.exists(hfJson) ? new ObjectMapper().readTree(hfJson.toFile()) : new ObjectMapper().createObjectNode();
        CudaAvailability av = CudaAvailability.get();
        if (!av.available()) {
            System.out.println("CudaBench: " + av);
            return;
        }
        CudaBench b = new CudaBench(models, hf, System.out);
        b.header();
        List<String> failed = new java.util.ArrayList<>();
        for (String s : sections) {
            long t0 = System.nanoTime();
            try {
                switch (s) {
                    case "copy": b.copy(); break;
                    case "gemm": b.gemm(); break;
                    case "scan": b.scan(); break;
                    case "prefill": b.prefill(); break;
                    case "step": b.step(); break;
                    case "audio": b.audio(); break;
                    case "check": b.check(); break;
                    case "generate": b.generate(); break;
                    case "dna": b.dna(); break;
                    case "profile": b.profileOnce(); break;
                    case "breakdown": b.breakdown(); break;
                    default: throw new IllegalArgumentException("unknown section " + s);
                }
            } catch (RuntimeException | Error e) {
                failed.add(s);
                System.out.println("section " + s + " failed: " + e);
                e.printStackTrace(System.out);
                b.md.append("\nSection ").append(s).append(" failed: ").append(e).append("\n");
            }
            System.out.printf(L, "[section %s took %.1f s]%n", s, (System.nanoTime() - t0) / 1e9);
        }
        Files.writeString(outMd, b.md.toString());
        if (!failed.isEmpty()) {
            // The other sections' tables are written; the command still fails, so no script takes them as complete.
            System.out.println("CudaBench: sections failed: " + failed);
            System.exit(1);
        }
    }

    private void header() {
        long[] mem = device.memoryInfo();
        String h = String.format(L, "GPU: %s, %d SMs, %.1f GiB; date %s; JVM %s%n", device, device.multiprocessors(),
                mem[1] / (double) (1L << 30), LocalDate.now(), System.getProperty("java.version"));
        out.print(h);
        md.append(h).append('\n');
    }

    private void table(String title, String head, List<String> rows) {
        StringBuilder t = new StringBuilder();
        t.append("\n### ").append(title).append("\n\n").append(head).append('\n');
        int cols = head.split("\\|", -1).length - 2;
        t.append("|");
        for (int i = 0; i < cols; i++) {
            t.append(" --- |");
        }
        t.append('\n');
        rows.forEach(r -> t.append(r).append('\n'));
        out.print(t);
        md.append(t);
    }

    private double hf(String key) {
        JsonNode n = hf.get(key);
        return n == null || n.isNull() ? Double.NaN : n.asDouble();
    }

    private static String fmt(double v, String f) {
        return Double.isNaN(v) ? "n/a" : String.format(L, f, v);
    }

    // ---- timing --------------------------------------------------------------------------------------

    private interface Work {
        void run();
    }

    /** Median milliseconds of {@code reps} timed runs of device work (CUDA events) after {@code warmup}. */
    private double deviceMs(Work w, int warmup, int reps) {
        CUevent start = new CUevent();
        CUevent stop = new CUevent();
        Cuda.check(JCudaDriver.cuEventCreate(start, 0), "cuEventCreate");
        Cuda.check(JCudaDriver.cuEventCreate(stop, 0), "cuEventCreate");
        try {
            for (int i = 0; i < warmup; i++) {
                w.run();
            }
            launcher.sync("warm-up");
            double[] ms = new double[reps];
            float[] t = new float[1];
            for (int i = 0; i < reps; i++) {
                Cuda.check(JCudaDriver.cuEventRecord(start, stream), "cuEventRecord");
                w.run();
                Cuda.check(JCudaDriver.cuEventRecord(stop, stream), "cuEventRecord");
                launcher.sync("timed run");
                Cuda.check(JCudaDriver.cuEventElapsedTime(t, start, stop), "cuEventElapsedTime");
                ms[i] = t[0];
            }
            return median(ms);
        } finally {
            JCudaDriver.cuEventDestroy(start);
            JCudaDriver.cuEventDestroy(stop);
        }
    }

    /** Median milliseconds of host-timed synchronous calls. */
    private static double hostMs(Work setup, Work w, int warmup, int reps) {
        for (int i = 0; i < warmup; i++) {
            setup.run();
            w.run();
        }
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            setup.run();
            long t0 = System.nanoTime();
            w.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(ms);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    // ---- 0. the bandwidth ceiling ----------------------------------------------------------------------

    private void copy() {
        long bytes = 2L << 30;
        try (DeviceBuffer a = DeviceBuffer.allocate(bytes, "copy src"); DeviceBuffer b = DeviceBuffer.allocate(bytes, "copy dst")) {
            a.fill(0, bytes / 4, 0x3f800001);
            double memcpy = deviceMs(() -> Cuda.check(JCudaDriver.cuMemcpyDtoDAsync(b.at(0), a.at(0), bytes, stream),
                    "cuMemcpyDtoDAsync"), 3, 20);
            int blocks = device.multiprocessors() * 8;
            double kernel = deviceMs(() -> launcher.launch("copy_f4", blocks, 1, 1, 256, 0,
                    args().ptr(a.address()).ptr(b.address()).l(bytes / 16)), 3, 20);
            double gbMemcpy = 2.0 * bytes / (memcpy * 1e6);
            double gbKernel = 2.0 * bytes / (kernel * 1e6);
            copyGBs = Math.max(gbMemcpy, gbKernel);
            double hfCopy = hf("copy_gbs");
            table("Device-to-device copy (the memory-bandwidth limit; bytes read + written)",
                    "| copy of 2 GiB | ms | GB/s |", List.of(
                            String.format(L, "| cuMemcpyDtoD | %.3f | %.0f |", memcpy, gbMemcpy),
                            String.format(L, "| copy kernel (float4) | %.3f | %.0f |", kernel, gbKernel),
                            "| torch clone (Python side, same run) | | " + fmt(hfCopy, "%.0f") + " |"));
        }
    }

    // ---- dense layers: FFMA vs 3xTF32 ---------------------------------------------------------------

    private void gemm() {
        int[][] shapes = {{16384, 3072, 768}, {16384, 768, 1536}, {16384, 80, 1536}, {16384, 1536, 48},
                {64, 3072, 768}, {64, 768, 1536}, {512, 3072, 768}, {8192, 50280, 768}};
        String[] what = {"in_proj, 8x2048 tokens", "out_proj", "x_proj", "dt_proj", "in_proj, step of 64",
                "out_proj, step of 64", "in_proj, step of 512", "LM head, step of 8192"};
        List<String> rows = new ArrayList<>();
        Random rnd = new Random(3);
        float[] pattern = new float[8 << 20];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (float) (rnd.nextGaussian() * 0.1);
        }
        long maxA = 0, maxW = 0, maxC = 0;
        for (int[] sh : shapes) {
            maxA = Math.max(maxA, (long) sh[0] * sh[2]);
            maxW = Math.max(maxW, (long) sh[1] * sh[2]);
            maxC = Math.max(maxC, (long) sh[0] * sh[1]);
        }
        try (DeviceBuffer a = DeviceBuffer.floats(maxA, "A"); DeviceBuffer w = DeviceBuffer.floats(maxW, "W");
             DeviceBuffer c = DeviceBuffer.floats(maxC, "C")) {
            tile(a, pattern);
            tile(w, pattern);
            for (int i = 0; i < shapes.length; i++) {
                int m = shapes[i][0], n = shapes[i][1], k = shapes[i][2];
                double[] ms = new double[2];
                for (CudaTuning.Gemm mode : CudaTuning.Gemm.values()) {
                    ms[mode.ordinal()] = deviceMs(() -> launcher.gemm(mode, a.address(), k, w.address(), k, 0L, c.address(), n,
                            m, n, k, false), 2, 10);
                }
                double flop = 2.0 * m * n * k;
                rows.add(String.format(L, "| %s | %d x %d x %d | %.3f | %.1f | %.3f | %.1f |", what[i], m, n, k,
                        ms[0], flop / (ms[0] * 1e9), ms[1], flop / (ms[1] * 1e9)));
            }
        }
        table("Dense layers (C = A W^T, float32 in and out): FFMA tiles vs 3xTF32 tensor cores",
                "| layer | M x N x K | FFMA ms | FFMA TFLOP/s | 3xTF32 ms | 3xTF32 TFLOP/s |", rows);
        narrowLayers(pattern);
    }

    /** x_proj on the narrow 3xTF32 tile, and dt_proj: the GEMM path against m1_delta (with the softplus). */
    private void narrowLayers(float[] pattern) {
        List<String> rows = new ArrayList<>();
        int e = M130.e, r = M130.r, xw = r + 2 * M130.n;
        try (DeviceBuffer a = DeviceBuffer.floats(16384L * e, "A"); DeviceBuffer w = DeviceBuffer.floats((long) e * xw, "W");
             DeviceBuffer c = DeviceBuffer.floats(16384L * e, "C"); DeviceBuffer bias = DeviceBuffer.floats(e, "bias")) {
            tile(a, pattern);
            tile(w, pattern);
            bias.fill(0, e, Float.floatToRawIntBits(-2f));
            for (int m : new int[] {16384, 2048}) {
                double ms = deviceMs(() -> launcher.gemm(CudaTuning.Gemm.TF32X3, a.address(), e, w.address(), e, 0L, c.address(), xw,
                        m, xw, e, false), 2, 10);
                double flop = 2.0 * m * xw * e;
                rows.add(String.format(L, "| x_proj on the 64 x 80 tile | %d x %d x %d | %.3f | %.1f |", m, xw, e, ms, flop / (ms * 1e9)));
                double gemmMs = deviceMs(() -> launcher.gemm(CudaTuning.Gemm.TF32X3, a.address(), xw, w.address(), r, 0L, c.address(), e,
                        m, e, r, false), 2, 10);
                double deltaMs = deviceMs(() -> Mamba1Mixer.delta(launcher, a.address(), xw, w.address(), r, bias.address(), c.address(),
                        e, m), 2, 10);
                flop = 2.0 * m * e * r;
                rows.add(String.format(L, "| dt_proj: 3xTF32 GEMM / m1_delta (FFMA + softplus) | %d x %d x %d | %.3f / %.3f | %.1f / %.1f |",
                        m, e, r, gemmMs, deltaMs, flop / (gemmMs * 1e9), flop / (deltaMs * 1e9)));
            }
        }
        table("Narrow layers: x_proj on the 64 x 80 3xTF32 tile, dt_proj as a GEMM vs m1_delta",
                "| layer | M x N x K | ms | TFLOP/s |", rows);
    }

    // ---- 1. the selective scan kernel alone ---------------------------------------------------------

    private record Shape(String name, int e, int n, int r, int d, int layers) {}

    private static final Shape M130 = new Shape("mamba-130m", 1536, 16, 48, 768, 24);
    private static final Shape M370 = new Shape("mamba-370m", 2048, 16, 64, 1024, 48);

    private void scan() {
        if (Double.isNaN(copyGBs)) {
            copy();
        }
        int[][] c130 = {{1, 1024}, {1, 2048}, {8, 2048}, {64, 2048}, {1, 16384}, {8, 16384}, {1, 65536}};
        int[][] c370 = {{1, 2048}, {8, 2048}, {64, 2048}, {1, 16384}, {1, 65536}};
        long maxRows = 131072;
        int maxE = 2048;
        List<String> rows = new ArrayList<>();
        // One random pattern (32M floats, 128 MB: larger than L2) tiled over every input buffer; delta (the
        // scan's input from m1_delta) is softplus(N(0, 1) - 2), as dt_proj's output with a bias of -2 gives.
        float[] pattern = new float[32 << 20];
        float[] deltas = new float[pattern.length];
        Random rnd = new Random(7);
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (float) rnd.nextGaussian();
            deltas[i] = io.scanflow.model.math.Ops.softplus((float) rnd.nextGaussian() - 2f);
        }
        try (DeviceBuffer u = DeviceBuffer.floats(maxRows * maxE, "u"); DeviceBuffer delta = DeviceBuffer.floats(maxRows * maxE, "delta");
             DeviceBuffer xz = DeviceBuffer.floats(maxRows * 2 * maxE, "xz"); DeviceBuffer y = DeviceBuffer.floats(maxRows * maxE, "y");
             DeviceBuffer bc = DeviceBuffer.floats(maxRows * (64 + 32), "bc");
             DeviceBuffer st = DeviceBuffer.floats(64L * maxE * 16, "state");
             DeviceBuffer desc = DeviceBuffer.ints(3 * 64 * 32, "descriptors");
             DeviceBuffer carry = DeviceBuffer.floats(Mamba1Mixer.carryFloats(16, 64L * maxE * 32), "scan carry")) {
            for (DeviceBuffer b : new DeviceBuffer[] {u, xz, bc, st}) {
                tile(b, pattern);
            }
            tile(delta, deltas);
            for (Shape s : new Shape[] {M130, M370}) {
                float[] a2 = new float[s.e * s.n];
                float[] dsk = new float[s.e];
                for (int i = 0; i < a2.length; i++) {
                    a2[i] = (float) (-Math.exp(0.5 + 0.5 * rnd.nextGaussian()) * 1.4426950408889634);
                }
                for (int i = 0; i < s.e; i++) {
                    dsk[i] = (float) (1 + 0.1 * rnd.nextGaussian());
                }
                try (DeviceBuffer da2 = DeviceBuffer.upload(a2, "A2"); DeviceBuffer dd = DeviceBuffer.upload(dsk, "D")) {
                    for (int[] c : s == M130 ? c130 : c370) {
                        int batch = c[0], len = c[1];
                        String only = System.getProperty("scanflow.bench.scanOnly");   // e.g. mamba-130m/64x2048 (profiling)
                        if (only != null && !only.equals(s.name + "/" + batch + "x" + len)) {
                            continue;
                        }
                        int chunk = Math.min(len, 2048);
                        int chunks = len / chunk;
                        int[] host = new int[3 * batch * chunks];
                        for (int k = 0; k < chunks; k++) {
                            for (int b = 0; b < batch; b++) {
                                host[k * 3 * batch + b] = b * len + k * chunk;
                                host[k * 3 * batch + batch + b] = chunk;
                                host[k * 3 * batch + 2 * batch + b] = b;
                            }
                        }
                        desc.write(host, 0, host.length, 0);
                        int xw = s.r + 2 * s.n;
                        int sms = device.multiprocessors();
                        int autoSegs = Mamba1Mixer.scanSegments(launcher.tuning(), s.e, s.n, batch, chunk, sms, carry.bytes() / 4);
                        // variant 0: one segment (no time split), then 2..32 segments, then what auto picks if not among them
                        int[] sweep = {1, 2, 4, 8, 16, 32};
                        int autoIdx = Arrays.binarySearch(sweep, autoSegs);
                        int[] segs = autoIdx >= 0 ? sweep : Arrays.copyOf(sweep, sweep.length + 1);
                        if (autoIdx < 0) {
                            autoIdx = sweep.length;
                            segs[autoIdx] = autoSegs;
                        }
                        java.util.function.IntFunction<Work> variant = v -> () -> {
                            for (int k = 0; k < chunks; k++) {
                                long base = (long) k * 3 * batch;
                                Launcher.Args a = args().ptr(u.address()).i(s.e).ptr(delta.address()).i(s.e).ptr(da2.address())
                                        .ptr(bc.address()).i(xw).i(s.r).i(s.r + s.n).ptr(dd.address())
                                        .ptr(xz.at4(s.e)).i(2 * s.e).ptr(y.address()).i(s.e)
                                        .ptr(st.address()).l((long) s.e * s.n).l(0L)
                                        .ptr(desc.at4(base)).ptr(desc.at4(base + batch)).ptr(desc.at4(base + 2L * batch))
                                        .i(s.e).i(s.n).ptr(carry.address());
                                Mamba1Mixer.scan(launcher, a, s.e, s.n, batch, chunk, segs[v]);
                            }
                        };
                        int variants = segs.length;
                        // Check: the same chunks from the same state through every variant; worst relative difference
                        // of y (first 4M values) and of the final states to variant 0, against the largest magnitude.
                        int checkY = (int) Math.min(4L << 20, (long) batch * len * s.e);
                        int stN = batch * s.e * s.n;
                        float[] y0 = new float[checkY], s0 = new float[stN], y1 = new float[checkY], s1 = new float[stN];
                        double worstY = 0, worstS = 0;
                        for (int v = 0; v < variants; v++) {
                            tile(st, pattern);
                            float[] poison = new float[checkY];
                            Arrays.fill(poison, Float.NaN);
                            y.write(poison, 0, checkY, 0);
                            variant.apply(v).run();
                            launcher.sync("scan check");
                            y.read(0, v == 0 ? y0 : y1, 0, checkY);
                            st.read(0, v == 0 ? s0 : s1, 0, stN);
                            if (v > 0) {
                                worstY = Math.max(worstY, relErr(y0, y1));
                                worstS = Math.max(worstS, relErr(s0, s1));
                            }
                        }
                        double[] ms = new double[variants];
                        for (int v = 0; v < variants; v++) {
                            ms[v] = deviceMs(variant.apply(v), 2, 10);
                        }
                        long tokens = (long) batch * len;
                        double bytes = tokens * (4.0 * s.e + 2.0 * s.n) * 4 + 2.0 * batch * s.e * s.n * 4 * chunks;
                        java.util.function.DoubleFunction<String> pct = m -> String.format(L, "%.0f%%", 100 * bytes / (m * 1e6) / copyGBs);
                        double best = ms[autoIdx];
                        double hfMs = hf("scan/" + s.name + "/B" + batch + "/L" + len);
                        StringBuilder sw = new StringBuilder();
                        for (int v = 0; v < sweep.length; v++) {
                            sw.append(v == 0 ? "" : " / ").append(String.format(L, "%.3f (%s)", ms[v], pct.apply(ms[v])));
                        }
                        rows.add(String.format(L, "| %s | %d | %d | %d | %.3f | %.0f | %s | %s | %.1e / %.1e | %s | %s |",
                                s.name, batch, len, autoSegs, best, bytes / (best * 1e6), pct.apply(best), sw,
                                worstY, worstS, fmt(hfMs, "%.1f"), fmt(hfMs / best, "%.0fx")));
                    }
                }
            }
        }
        table("1. Fused selective scan kernel alone (m1_scan_fwd_n16 on delta from m1_delta; time split into S segments as the engine picks) vs HF transformers slow-path scan (float32, softplus included)",
                "| shape (E, N=16) | batch | L | S | ms | GB/s | % of copy BW | S = 1 / 2 / 4 / 8 / 16 / 32: ms (% of copy) | max y / state rel. diff to S = 1 | HF ms | speedup |", rows);
    }

    /** Largest |a - b| over the largest |a|. */
    private static double relErr(float[] a, float[] b) {
        double max = 0, diff = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i]));
            diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
        }
        return max == 0 ? diff : diff / max;
    }

    private static void tile(DeviceBuffer b, float[] pattern) {
        long floats = b.bytes() / 4;
        int first = (int) Math.min(floats, pattern.length);
        b.write(pattern, 0, first, 0);
        long done = first;
        while (done < floats) {
            long n = Math.min(done, floats - done);
            Cuda.check(JCudaDriver.cuMemcpyDtoD(b.at(4 * done), b.at(0), 4 * n), "tile copy");
            done += n;
        }
    }

    // ---- 2. whole-model prefill ---------------------------------------------------------------------

    private void prefill() {
        List<String> rows = new ArrayList<>();
        int[][] c130 = {{1, 2048}, {8, 2048}, {64, 2048}, {1, 65536}};
        int[][] c370 = {{1, 2048}, {8, 2048}, {1, 16384}};
        for (Shape s : new Shape[] {M130, M370}) {
            Path dir = models.resolve(s.name);
            SequenceModel model = ModelLoader.load(dir);
            EngineOptions o = TestTuning.options().withMaxSlots(64).withMaxRowsPerPass(16384).withChunkLength(2048);
            try (CudaEngine e = CudaEngine.create(model, dir, o)) {
                int[] slots = new int[64];
                for (int i = 0; i < 64; i++) {
                    slots[i] = e.openSlot();
                }
                Random rnd = new Random(11);
                for (int[] c : s == M130 ? c130 : c370) {
                    int batch = c[0], len = c[1];
                    int[][] tok = new int[batch][len];
                    for (int[] t : tok) {
                        for (int i = 0; i < len; i++) {
                            t[i] = rnd.nextInt(model.vocabSize());
                        }
                    }
                    int[] sl = Arrays.copyOf(slots, batch);
                    float[][] outs = new float[batch][model.vocabSize()];
                    double[] msv = new double[2];
                    CudaTuning base = e.launcher().tuning();
                    for (int v = 0; v < 2; v++) {
                        e.launcher().setTuning(base.withScan(v == 0 ? CudaTuning.ScanSplit.AUTO : CudaTuning.ScanSplit.SEQUENTIAL));
                        try {
                            msv[v] = hostMs(() -> {
                                for (int x : sl) {
                                    e.resetSlot(x);
                                }
                                e.synchronize();
                            }, () -> e.prefill(sl, tok, Output.LAST_LOGITS, outs), 1, 5);
                        } finally {
                            e.launcher().setTuning(base);
                        }
                    }
                    double ms = msv[0];
                    double tokens = batch * (double) len;
                    double tps = tokens / (ms / 1e3);
                    String key = "prefill/" + s.name + "/B" + batch + "/L" + len;
                    rows.add(String.format(L, "| %s | %d | %d | %.1f | %.0f | %.1f | %.0f | %s |", s.name, batch, len, ms, tps,
                            msv[1], tokens / (msv[1] / 1e3), hfVersus(key, tokens, tps)));
                }
            }
        }
        // The headline shape once more with the FFMA dense layers (opt-in), for the tensor-core gain.
        {
            Path dir = models.resolve(M130.name);
            SequenceModel model = ModelLoader.load(dir);
            try (CudaEngine e = CudaEngine.create(model, dir, TestTuning.options().withMaxSlots(8).withMaxRowsPerPass(16384)
                    .withCuda(TestTuning.fromSystemProperties().withGemm(CudaTuning.Gemm.FFMA)))) {
                int[] sl = openSlots(e, 8);
                int[][] tok = headlineTokens(model.vocabSize());
                float[][] outs = new float[8][model.vocabSize()];
                double ms = hostMs(() -> {
                    for (int x : sl) {
                        e.resetSlot(x);
                    }
                    e.synchronize();
                }, () -> e.prefill(sl, tok, Output.LAST_LOGITS, outs), 1, 5);
                double tps = 8 * 2048 / (ms / 1e3);
                rows.add(String.format(L, "| %s, FFMA dense layers | 8 | 2048 | %.1f | %.0f | | | %s |", M130.name, ms, tps,
                        hfVersus("prefill/" + M130.name + "/B8/L2048", 8 * 2048, tps)));
            }
        }
        table("2. Whole-model prefill (last-position logits) vs HF transformers forward (float32, slow path)",
                "| model | batch | L | ours ms (default scan) | ours tokens/s | ours ms (sequential scan) | tokens/s "
                        + "| HF tokens/s: median (slowest - fastest, runs) | speedup vs HF median | vs HF's fastest run |", rows);
    }

    /** HF's prefill tokens/s for {@code key} (median, range and count of its timed runs) and our speed-ups over it. */
    private String hfVersus(String key, double tokens, double ourTps) {
        double medianTps = tokens / (hf(key) / 1e3);
        JsonNode runs = hf.get(key + "/runs");
        double fastest = Double.NaN, slowest = Double.NaN;
        int count = 0;
        if (runs != null && runs.isArray()) {
            for (JsonNode r : runs) {
                double t = tokens / (r.asDouble() / 1e3);
                fastest = count == 0 ? t : Math.max(fastest, t);
                slowest = count == 0 ? t : Math.min(slowest, t);
                count++;
            }
        }
        String hfCell = count == 0 ? fmt(medianTps, "%.0f")
                : String.format(L, "%.0f (%.0f - %.0f, %d)", medianTps, slowest, fastest, count);
        return hfCell + " | " + fmt(ourTps / medianTps, "%.1fx") + " | " + fmt(ourTps / fastest, "%.1fx");
    }

    /**
     * One prefill of 8 x 2048 tokens of mamba-130m and nothing else, for a per-kernel profile of the pass (the
     * script runs this section under Nsight Compute and sums each kernel's time).
     */
    private void breakdown() {
        Path dir = models.resolve(M130.name);
        SequenceModel model = ModelLoader.load(dir);
        try (CudaEngine e = CudaEngine.create(model, dir, TestTuning.options().withMaxSlots(8).withMaxRowsPerPass(16384))) {
            int[] sl = openSlots(e, 8);
            int[][] tok = headlineTokens(model.vocabSize());
            e.prefill(sl, tok, Output.LAST_LOGITS, new float[8][model.vocabSize()]);
        }
    }

    private static int[] openSlots(CudaEngine e, int count) {
        int[] slots = new int[count];
        for (int i = 0; i < count; i++) {
            slots[i] = e.openSlot();
        }
        return slots;
    }

    /** The headline prefill's input: 8 requests of 2048 random tokens, the same every call. */
    private static int[][] headlineTokens(int vocab) {
        Random rnd = new Random(11);
        int[][] tokens = new int[8][2048];
        for (int[] t : tokens) {
            for (int i = 0; i < t.length; i++) {
                t[i] = rnd.nextInt(vocab);
            }
        }
        return tokens;
    }

    // ---- 3. batched step ----------------------------------------------------------------------------

    private void step() {
        List<String> rows = new ArrayList<>();
        stepRows(M130.name, new int[] {1, 8, 64, 512, 2048, 4096, 8192}, rows, true);
        stepRows(M370.name, new int[] {1, 64, 512, 2048}, rows, true);
        table("3. Batched step over GPU-resident slots vs HF generate with cache (float32)",
                "| model | slots | state-only step ms | tokens/s | greedy step ms (argmax on device) | tokens/s | HF generate step ms | HF tokens/s | speedup (greedy) |",
                rows);
    }

    /** Returns the largest slot count whose greedy step stays within {@code budgetMs}. */
    private int stepRows(String name, int[] counts, List<String> rows, boolean greedy) {
        Path dir = models.resolve(name);
        SequenceModel model = ModelLoader.load(dir);
        int max = Arrays.stream(counts).max().getAsInt();
        EngineOptions o = TestTuning.options().withMaxSlots(max).withMaxRowsPerPass(256);
        int best = 0;
        try (CudaEngine e = CudaEngine.create(model, dir, o)) {
            int[] slots = new int[max];
            for (int i = 0; i < max; i++) {
                slots[i] = e.openSlot();
            }
            Random rnd = new Random(5);
            int[] tok = new int[max];
            int[] next = new int[max];
            for (int count : counts) {
                for (int i = 0; i < count; i++) {
                    tok[i] = rnd.nextInt(model.vocabSize());
                }
                int reps = count >= 4096 ? 10 : 30;
                double none = hostMs(() -> { }, () -> e.step(slots, tok, count, Output.NONE, null), 3, reps);
                double gr = greedy ? hostMs(() -> { }, () -> e.stepGreedy(slots, tok, count, next), 3, reps) : Double.NaN;
                double hfMs = hf("generate/" + name + "/B" + count);
                rows.add(String.format(L, "| %s | %d | %.3f | %.0f | %s | %s | %s | %s | %s |", name, count, none,
                        count / (none / 1e3), fmt(gr, "%.3f"), fmt(count / (gr / 1e3), "%.0f"), fmt(hfMs, "%.2f"),
                        fmt(count / (hfMs / 1e3), "%.0f"), fmt(hfMs / gr, "%.0fx")));
                if (gr <= 1000.0 / 16000) {
                    best = Math.max(best, count);
                }
            }
        }
        return best;
    }

    private void audio() {
        List<String> rows = new ArrayList<>();
        int[] counts = {1, 64, 256, 1024, 2048, 3072, 4096, 6144, 8192, 16384, 32768};
        int realtime = stepRows("audio", counts, rows, true);
        table("3b. Audio-sized model (hidden 64, 2 layers, state 16, vocab 256): batched step, one 16 kHz sample per slot",
                "| model | slots | state-only step ms | tokens/s | greedy step ms (argmax on device) | tokens/s | HF generate step ms | HF tokens/s | speedup (greedy) |",
                rows);
        // The step without its CUDA graphs, for what they bring.
        Path dir = models.resolve("audio");
        SequenceModel model = ModelLoader.load(dir);
        List<String> g = new ArrayList<>();
        for (boolean graphs : new boolean[] {true, false}) {
            try (CudaEngine e = CudaEngine.create(model, dir, TestTuning.options().withMaxSlots(4096).withMaxRowsPerPass(256)
                    .withCudaGraphs(graphs))) {
                int[] slots = new int[4096];
                for (int i = 0; i < slots.length; i++) {
                    slots[i] = e.openSlot();
                }
                int[] tok = new int[4096];
                int[] next = new int[4096];
                for (int count : new int[] {1, 1024, 4096}) {
                    double ms = hostMs(() -> { }, () -> e.stepGreedy(slots, tok, count, next), 3, 30);
                    g.add(String.format(L, "| %s | %d | %.4f |", graphs ? "on" : "off", count, ms));
                }
            }
        }
        table("3c. Audio model greedy step (layer by layer): CUDA graphs on/off", "| graphs | slots | step ms |", g);
        String line = String.format(L, "%nReal-time 16 kHz streams on this GPU (greedy step <= 62.5 us, one sample per stream per step): %d%n",
                realtime);
        out.print(line);
        md.append(line);
    }

    // ---- parity at scale ------------------------------------------------------------------------------

    private void check() {
        List<String> rows = new ArrayList<>();
        for (String name : new String[] {M130.name, "audio"}) {
            Path dir = models.resolve(name);
            Path ck = dir.resolve("check");
            if (!Files.exists(ck.resolve("tokens.i32"))) {
                continue;
            }
            try {
                int[] tokens = Fixture.ints(ck.resolve("tokens.i32"));
                double[] ref32 = Fixture.doubles(ck.resolve("last.f64"));
                Path p64 = ck.resolve("last64.f64");
                double[] ref64 = Files.exists(p64) ? Fixture.doubles(p64) : null;
                SequenceModel model = ModelLoader.load(dir);
                try (CudaEngine e = CudaEngine.create(model, dir, TestTuning.options().withMaxSlots(2))) {
                    float[][] o = new float[1][model.vocabSize()];
                    e.prefill(new int[] {e.openSlot()}, new int[][] {tokens}, Output.LAST_LOGITS, o);
                    double vs32 = Fixture.maxRelativeError(o[0], 0, ref32, 0, ref32.length);
                    double vs64 = ref64 == null ? Double.NaN : Fixture.maxRelativeError(o[0], 0, ref64, 0, ref64.length);
                    double hf32vs64 = ref64 == null ? Double.NaN
                            : Fixture.maxRelativeError(toFloats(ref32), 0, ref64, 0, ref64.length);
                    rows.add(String.format(L, "| %s | %d | %s | %s | %.2e | %s |", name, tokens.length, e.gemmMode(),
                            fmt(vs64, "%.2e"), vs32, fmt(hf32vs64, "%.2e")));
                }
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }
        table("Parity at benchmark scale: last-position logits after 2048 tokens (random weights)",
                "| model | tokens | ours: dense layers | ours vs HF float64 | ours vs HF float32 (GPU) | HF float32 vs HF float64 |", rows);
    }

    // ---- 4. on-device generation: real-time audio streams ---------------------------------------------

    private static Path shippedModel(String name) {
        return Path.of(System.getProperty("scanflow.models", "models")).resolve(name);
    }

    /**
     * The audio-sized model (hidden 64, 2 layers, state 16, expand 2, conv 4, vocab 256): the shipped mu-law
     * generator's first two layers' shapes and config, every tensor redrawn from a normal distribution
     * with that tensor's own mean and standard deviation (random weights, realistic ranges).
     */
    private static Path randomAudioModel(Path dir) throws IOException {
        Path src = shippedModel("mulaw-generator");
        Files.createDirectories(dir);
        io.scanflow.model.weights.SafetensorsWriter w = io.scanflow.model.weights.SafetensorsWriter.create();
        Random rnd = new Random(17);
        try (io.scanflow.model.weights.Checkpoint c = io.scanflow.model.weights.Checkpoint.open(src)) {
            for (String name : c.names()) {
                if (name.startsWith("backbone.layers.") && !name.startsWith("backbone.layers.0.")
                        && !name.startsWith("backbone.layers.1.")) {
                    continue;
                }
                float[] x = c.floats(name);
                double mean = 0, sq = 0;
                for (float f : x) {
                    mean += f;
                    sq += (double) f * f;
                }
                mean /= x.length;
                double sd = Math.sqrt(Math.max(0, sq / x.length - mean * mean));
                float[] y = new float[x.length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = (float) (mean + sd * rnd.nextGaussian());
                }
                w.f32(name, c.info(name).shape(), y);
            }
        }
        w.write(dir.resolve("model.safetensors"));
        String config = Files.readString(src.resolve("config.json")).replaceAll("\"num_hidden_layers\"\\s*:\\s*3",
                "\"num_hidden_layers\": 2");
        if (!config.contains("\"num_hidden_layers\": 2")) {
            throw new IllegalStateException("could not derive the audio model's config from " + src);
        }
        Files.writeString(dir.resolve("config.json"), config);
        return dir;
    }

    /** FP32 peak: SMs x 128 FMA lanes x 2 FLOP x the maximum SM clock. */
    private double fp32PeakTflops() {
        int khz = device.attribute(jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
        return device.multiprocessors() * 128.0 * 2 * khz * 1e3 / 1e12;
    }

    /** Multiply-adds x 2 per generated token of a Mamba-1 model (dense layers, conv, scan ~5 per state, head). */
    private static double flopPerToken(io.scanflow.model.config.MambaConfig c) {
        double d = c.hiddenSize(), e = c.intermediateSize(), n = c.stateSize(), r = c.dtRank(), k = c.convKernel();
        double layer = 2 * (d * 2 * e + e * (r + 2 * n) + r * e + e * d) + 2 * e * k + 5 * e * n;
        return c.numLayers() * layer + 2 * d * c.vocabSize();
    }

    private void generate() throws IOException {
        if (Double.isNaN(copyGBs)) {
            copy();
        }
        double peak = fp32PeakTflops();
        int[] counts = {1, 64, 256, 1024, 2048, 4096, 8192, 16384};
        List<String> rows = new ArrayList<>();
        List<String> tune = new ArrayList<>();
        List<String> summary = new ArrayList<>();
        List<String> variantRows = new ArrayList<>();
        Path audio = randomAudioModel(Files.createTempDirectory("scanflow-audio"));
        String[] names = {"audio (random, 2 layers)", "mulaw-generator (3 layers)"};
        Path[] dirs = {audio, shippedModel("mulaw-generator")};
        int[] rates = {16000, 8000};
        for (int m = 0; m < 2; m++) {
            SequenceModel model = ModelLoader.load(dirs[m]);
            io.scanflow.model.config.MambaConfig cfg = (io.scanflow.model.config.MambaConfig) model.config();
            int rate = rates[m];
            int steps = rate / 20;  // 50 ms of audio per launch
            double flop = flopPerToken(cfg);
            long stateBytes = 4L * model.newState().data().length;
            int max = counts[counts.length - 1];
            try (CudaEngine e = CudaEngine.create(model, dirs[m], TestTuning.options().withMaxSlots(max).withMaxRowsPerPass(256))) {
                if (!e.deviceGenerate()) {
                    throw new IllegalStateException(names[m] + " does not run on the on-device generator");
                }
                int[] slots = new int[max];
                for (int i = 0; i < max; i++) {
                    slots[i] = e.openSlot();
                }
                Random rnd = new Random(23);
                int[] first = new int[max];
                for (int i = 0; i < max; i++) {
                    first[i] = rnd.nextInt(model.vocabSize());
                }
                int[] out = new int[max * steps];
                int best = 0;
                for (int count : counts) {
                    double ms = hostMs(() -> { }, () -> e.generate(slots, first, count, steps,
                            io.scanflow.model.sampling.SamplingConfig.greedyDecoding(), null, out), 1, count >= 8192 ? 3 : 5);
                    double budget = 1e3 * steps / rate;
                    boolean rt = ms <= budget;
                    if (rt) {
                        best = Math.max(best, count);
                    }
                    double tokens = (double) count * steps;
                    double gbs = tokens * 2 * stateBytes / (ms * 1e6);
                    double tflops = tokens * flop / (ms * 1e9);
                    rows.add(String.format(L, "| %s | %d | %d | %.3f | %.2f | %,.0f | %s | %.0f | %.0f%% | %.2f | %.1f%% |", names[m],
                            count, steps, ms, 1e3 * ms / steps, tokens / (ms / 1e3), rt ? "yes" : "no", gbs, 100 * gbs / copyGBs,
                            tflops, 100 * tflops / peak));
                }
                summary.add(String.format(L, "%s at %d Hz: largest real-time slot count measured %d (of %s)", names[m], rate,
                        best, Arrays.toString(counts)));
                if (m == 0) {
                    variants(e, slots, first, steps, model.vocabSize(), variantRows);
                    // Slot-group size sweep at two counts (the default picks ceil(count / (2 x SMs)), at most 32).
                    for (int count : new int[] {2048, 16384}) {
                        for (int s : new int[] {2, 4, 8, 16, 32}) {
                            e.generator().setSlotsPerBlock(s);
                            double ms = hostMs(() -> { }, () -> e.generate(slots, first, count, steps,
                                    io.scanflow.model.sampling.SamplingConfig.greedyDecoding(), null, out), 1, 3);
                            tune.add(String.format(L, "| %d | %d | %.3f | %,.0f |", count, s, ms, count * (double) steps / (ms / 1e3)));
                        }
                    }
                    e.generator().setSlotsPerBlock(0);
                    // Sampled generation (temperature 1, top-k 40, top-p 0.95) and the old per-step path, for comparison.
                    long[] rng = new long[max];
                    for (int count : new int[] {2048}) {
                        double ms = hostMs(() -> { }, () -> e.generate(slots, first, count, steps,
                                io.scanflow.model.sampling.SamplingConfig.of(1f, 40, 0.95f), rng, out), 1, 3);
                        rows.add(String.format(L, "| %s, sampled (T 1, top-k 40, top-p 0.95) | %d | %d | %.3f | %.2f | %,.0f | %s | | | | |",
                                names[m], count, steps, ms, 1e3 * ms / steps, count * (double) steps / (ms / 1e3),
                                ms <= 1e3 * steps / rate ? "yes" : "no"));
                    }
                    int[] next = new int[max];
                    for (int count : new int[] {1, 2048}) {
                        double ms = hostMs(() -> { }, () -> e.stepGreedy(slots, first, count, next), 3, 30);
                        rows.add(String.format(L, "| %s, old path: one stepGreedy (graph) per sample | %d | 1 | %.3f | %.2f | %,.0f | %s | | | | |",
                                names[m], count, ms, 1e3 * ms, count / (ms / 1e3), ms <= 1e3 / rate ? "yes" : "no"));
                    }
                }
            }
        }
        table(String.format(L, "4. On-device generation (m1_generate): K steps per launch, greedy unless noted; copy limit %.0f GB/s, FP32 peak %.1f TFLOP/s",
                copyGBs, peak),
                "| model | slots | K steps per launch | ms per launch | us per step | samples/s | real-time | state GB/s | % of copy BW | TFLOP/s | % of FP32 peak |",
                rows);
        table("4b. Slot-group size (slots per block) of m1_generate, audio model, K = 800",
                "| slots | slots per block | ms per launch | samples/s |", tune);
        table("4c. m1_generate kernel variants (CUDA option generate-kernel; shaped: the build with the audio shape compiled in, else generate-shaped=false), audio model, greedy, K = 800; "
                        + "'same' = tokens of 200 steps from reset slots, 3 slots' state bytes and (sampled, T 1 top-k 40 top-p 0.95) "
                        + "tokens and random states identical to l2's",
                "| kernel | slots | ms per launch | us per step | samples/s | real-time at 16 kHz | same as l2 |", variantRows);
        StringBuilder t = new StringBuilder("\n");
        summary.forEach(x -> t.append(x).append('\n'));
        out.print(t);
        md.append(t);
    }

    /** Times each m1_generate kernel variant and checks its tokens, states and random states against l2's. */
    private static void variants(CudaEngine e, int[] slots, int[] first, int steps, int vocab, List<String> rows) {
        String[] kernels = {"l2", "l2-512", "smem", "l2 shaped", "smem shaped"};
        CudaTuning before = e.launcher().tuning();
        int[] checkCounts = {37, 2048};
        int checkSteps = 200;
        java.util.Map<String, String> same = new java.util.HashMap<>();
        try {
            List<Object> ref = null;
            for (String k : kernels) {
                e.launcher().setTuning(variant(before, k));
                List<Object> got = new ArrayList<>();
                for (int count : checkCounts) {
                    for (int sampled = 0; sampled < 2; sampled++) {
                        for (int i = 0; i < count; i++) {
                            e.resetSlot(slots[i]);
                        }
                        long[] rng = new long[count];
                        for (int i = 0; i < count; i++) {
                            rng[i] = new io.scanflow.model.sampling.RandomState(1000 + i).state();
                        }
                        int[] toks = new int[count * checkSteps];
                        e.generate(slots, first, count, checkSteps, sampled == 0 ? io.scanflow.model.sampling.SamplingConfig.greedyDecoding()
                                : io.scanflow.model.sampling.SamplingConfig.of(1f, 40, 0.95f), sampled == 0 ? null : rng, toks);
                        got.add(toks);
                        got.add(rng);
                        for (int i : new int[] {0, count / 2, count - 1}) {
                            got.add(e.saveSlot(slots[i]));
                        }
                    }
                }
                if (ref == null) {
                    ref = got;
                }
                boolean eq = true;
                for (int i = 0; i < got.size(); i++) {
                    eq &= java.util.Objects.deepEquals(got.get(i), ref.get(i));
                }
                same.put(k, eq ? "yes" : "NO");
            }
            for (int count : new int[] {1024, 2048, 4096, 8192}) {
                for (String k : kernels) {
                    e.launcher().setTuning(variant(before, k));
                    int[] out = new int[count * steps];
                    double ms = hostMs(() -> { }, () -> e.generate(slots, first, count, steps,
                            io.scanflow.model.sampling.SamplingConfig.greedyDecoding(), null, out), 1, 3);
                    rows.add(String.format(L, "| %s | %d | %.3f | %.2f | %,.0f | %s | %s |", k, count, ms, 1e3 * ms / steps,
                            count * (double) steps / (ms / 1e3), ms <= 1e3 * steps / 16000 ? "yes" : "no", same.get(k)));
                }
            }
        } finally {
            e.launcher().setTuning(before);
        }
    }

    /** {@code base} with the generate kernel of a variant name ("l2", "smem shaped", ...). */
    private static CudaTuning variant(CudaTuning base, String name) {
        return base.with(CudaTuning.GENERATE_KERNEL, name.split(" ")[0]).withGenerateShaped(name.endsWith("shaped"));
    }

    /** One m1_generate launch (audio model, 2048 slots, 100 steps) for a profiler to capture; not timed. */
    private void profileOnce() throws IOException {
        Path dir = randomAudioModel(Files.createTempDirectory("scanflow-audio"));
        SequenceModel model = ModelLoader.load(dir);
        int count = 2048, steps = 100;
        try (CudaEngine e = CudaEngine.create(model, dir, TestTuning.options().withMaxSlots(count).withMaxRowsPerPass(256))) {
            int[] slots = new int[count];
            int[] first = new int[count];
            for (int i = 0; i < count; i++) {
                slots[i] = e.openSlot();
                first[i] = i % model.vocabSize();
            }
            e.generate(slots, first, count, steps, io.scanflow.model.sampling.SamplingConfig.greedyDecoding(), null,
                    new int[count * steps]);
        }
    }

    // ---- 5. DNA read classification throughput ---------------------------------------------------------

    private void dna() {
        Path dir = shippedModel("dna-apes");
        SequenceModel model = ModelLoader.load(dir);
        int d = model.hiddenSize();
        List<String> rows = new ArrayList<>();
        Random rnd = new Random(29);
        int len = 150;
        for (int reads : new int[] {1024, 8192}) {
            int[][] tok = new int[reads][len];
            for (int[] t : tok) {
                for (int i = 0; i < len; i++) {
                    t[i] = 4 + rnd.nextInt(4);
                }
            }
            float[][] outs = new float[reads][d];
            // The former fixed default, the engine's own choice (EngineOptions.AUTO_ROWS), every read in one pass.
            for (int rowsPerPass : new int[] {8192, EngineOptions.AUTO_ROWS, reads * len}) {
                EngineOptions o = TestTuning.options().withMaxSlots(reads).withMaxRowsPerPass(rowsPerPass);
                try (CudaEngine e = CudaEngine.create(model, dir, o)) {
                    int[] slots = new int[reads];
                    for (int i = 0; i < reads; i++) {
                        slots[i] = e.openSlot();
                    }
                    long r0 = System.nanoTime();
                    for (int x : slots) {
                        e.resetSlot(x);
                    }
                    e.synchronize();
                    double resetMs = (System.nanoTime() - r0) / 1e6;
                    double ms = hostMs(() -> {
                        for (int x : slots) {
                            e.resetSlot(x);
                        }
                        e.synchronize();
                    }, () -> e.prefill(slots, tok, Output.MEAN_HIDDEN, outs), 2, 5);
                    rows.add(String.format(L, "| %d | %d | %s | %.2f | %,.0f | %.2f |", reads, len,
                            rowsPerPass == EngineOptions.AUTO_ROWS ? "auto: " + e.rowsPerPass() : String.valueOf(e.rowsPerPass()), ms,
                            reads * (double) len / (ms / 1e3), resetMs));
                }
            }
        }
        io.scanflow.model.config.MambaConfig c = (io.scanflow.model.config.MambaConfig) model.config();
        table(String.format(L, "5. DNA reads (models/dna-apes: Mamba-1 hidden %d, %d layers, state %d, inner %d, vocab %d): "
                        + "CudaEngine.prefill, MEAN_HIDDEN", d, c.numLayers(), c.stateSize(), c.intermediateSize(), c.vocabSize()),
                "| reads per call | bases per read | rows per pass (former default, the engine's default, all reads) | ms per call, slot zeroing included | bases/s | resetSlot of all reads, ms (marks them; the zeroing runs in the call) |",
                rows);
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
