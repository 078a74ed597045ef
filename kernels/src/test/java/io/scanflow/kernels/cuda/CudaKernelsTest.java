package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Launcher.args;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.kernels.CudaTuning;
import io.scanflow.kernels.EngineOptions;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.math.Ops;
import io.scanflow.model.sampling.RandomState;
import io.scanflow.model.sampling.Sampler;
import io.scanflow.model.sampling.SamplingConfig;
import io.scanflow.model.testing.Fixture;
import java.util.Random;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Single kernels against scalar references on fresh random inputs (outputs poisoned with NaN first, so
 * an unwritten element fails), the error path and weight sharing. Skipped without a CUDA device.
 */
@RequiresCuda
class CudaKernelsTest {
    static CudaDevice device;
    static Launcher l;
    static CUstream stream;

    @BeforeAll
    static void setUp() {
        device = CudaDevice.get(0);
        stream = new CUstream();
        Cuda.check(JCudaDriver.cuStreamCreate(stream, 0), "cuStreamCreate");
        l = new Launcher(device, stream, TestTuning.fromSystemProperties());
        System.out.println("cuda device: " + device);
    }

    @AfterAll
    static void tearDown() {
        if (stream != null) {
            JCudaDriver.cuStreamDestroy(stream);
        }
    }

    static float[] random(Random r, int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * scale);
        }
        return x;
    }

    @Test
    void gemmMatchesFloat64ReferenceOnEveryPath() {
        // {M, N, K}: gemv (M <= 8, scalar and float4), 64- and 128-row tiles, split K (few tiles, long K); odd
        // edges everywhere. K not a multiple of 4 takes the FFMA tiles in both modes; K a multiple of 4 but not
        // of 16 tests the 3xTF32 kernels' zero-filled K tail; {1030, 1100, 1536} a long K without a split.
        int[][] shapes = {{1, 7, 5}, {3, 64, 32}, {8, 100, 33}, {8, 96, 64}, {9, 130, 70}, {100, 257, 129},
                {333, 50, 2}, {200, 300, 20}, {2048, 1100, 260}, {1030, 1100, 1536}, {64, 768, 1536}, {16, 3072, 768},
                {300, 80, 1536}, {40, 37, 700}};
        Random rnd = new Random(1);
        for (CudaTuning.Gemm mode : CudaTuning.Gemm.values()) {
        double worst = 0;
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] a = random(rnd, m * k, 1f);
                float[] w = random(rnd, n * k, 0.2f);
                float[] bias = random(rnd, n, 0.5f);
                float[] c0 = random(rnd, m * n, 1f);
                double[] ref = new double[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double acc = 0;
                        for (int t = 0; t < k; t++) {
                            acc += (double) a[i * k + t] * w[j * k + t];
                        }
                        ref[i * n + j] = acc + bias[j] + (accumulate ? c0[i * n + j] : 0);
                    }
                }
                float[] got = new float[m * n];
                try (DeviceBuffer da = DeviceBuffer.upload(a, "a"); DeviceBuffer dw = DeviceBuffer.upload(w, "w");
                     DeviceBuffer db = DeviceBuffer.upload(bias, "bias");
                     DeviceBuffer dc = DeviceBuffer.floats((long) m * n, "c")) {
                    if (accumulate) {
                        dc.write(c0, 0, m * n, 0);
                    } else {
                        dc.fill(0, (long) m * n, Float.floatToRawIntBits(Float.NaN));
                    }
                    l.gemm(mode, da.address(), k, dw.address(), k, db.address(), dc.address(), n, m, n, k, accumulate);
                    l.sync("gemm test");
                    dc.read(0, got, 0, m * n);
                }
                double err = Fixture.maxRelativeError(got, 0, ref, 0, m * n);
                worst = Math.max(worst, err);
                assertTrue(err <= 1e-5, mode + " gemm " + m + "x" + n + "x" + k + " accumulate=" + accumulate + ": " + err);
            }
        }
        System.out.printf("gemm %s: worst relative error vs float64 %.2e%n", mode, worst);
        }
    }

    @Test
    void deltaIsSoftplusOfDtProjPlusBias() {
        // {M, E, R, ldx}: one row; unaligned rows and E % 4 != 0 (scalar stores); R over one 48-wide k chunk; more
        // row tiles than blocks (each block walks several); the mamba-130m shape
        int[][] shapes = {{1, 64, 2, 18}, {37, 72, 5, 15}, {65, 130, 100, 112}, {20000, 8, 3, 11}, {300, 1536, 48, 80}};
        Random rnd = new Random(5);
        for (int[] sh : shapes) {
            int m = sh[0], e = sh[1], r = sh[2], ldx = sh[3];
            float[] x = random(rnd, m * ldx, 1f);
            float[] w = random(rnd, e * r, 2f);
            float[] bias = random(rnd, e, 8f);  // with the products, inputs on both sides of softplus's linear cut at 20
            double[] ref = new double[m * e];
            for (int i = 0; i < m; i++) {
                for (int c = 0; c < e; c++) {
                    double acc = bias[c];
                    for (int k = 0; k < r; k++) {
                        acc += (double) x[i * ldx + k] * w[c * r + k];
                    }
                    ref[i * e + c] = acc > 20 ? acc : Math.log1p(Math.exp(acc));
                }
            }
            float[] got = new float[m * e];
            try (DeviceBuffer dx = DeviceBuffer.upload(x, "x"); DeviceBuffer dw = DeviceBuffer.upload(w, "w");
                 DeviceBuffer db = DeviceBuffer.upload(bias, "bias"); DeviceBuffer dd = DeviceBuffer.floats((long) m * e, "delta")) {
                dd.fill(0, (long) m * e, Float.floatToRawIntBits(Float.NaN));
                Mamba1Mixer.delta(l, dx.address(), ldx, dw.address(), r, db.address(), dd.address(), e, m);
                l.sync("m1_delta test");
                dd.read(0, got, 0, m * e);
            }
            double err = Fixture.maxRelativeError(got, 0, ref, 0, m * e);
            System.out.printf("m1_delta %dx%dx%d: relative error vs float64 %.2e%n", m, e, r, err);
            assertTrue(err <= 1e-6, "m1_delta " + m + "x" + e + "x" + r + ": " + err);
        }
    }

    @Test
    void prefillScanMatchesFloat64ReferenceWithAndWithoutTimeSplit() {
        // {E, N, segment length (0: no split)}: padded states (N 5), channels past a block (E 200), N > 16
        // (two threads per channel), E % 4 != 0 (scalar copies), N 4 (a tile's B and C take fewer copies than
        // threads: the DNA classifier's shape); requests of different lengths, random slots
        int[][] cases = {{72, 5, 0}, {72, 5, 8}, {200, 16, 0}, {200, 16, 24}, {200, 16, 8}, {36, 32, 0}, {36, 32, 16},
                {30, 16, 0}, {30, 16, 8}, {64, 4, 0}, {64, 4, 8}};
        int[] lens = {45, 1, 77, 20};
        Random rnd = new Random(6);
        double worstY = 0, worstS = 0;
        for (int[] cs : cases) {
            int e = cs[0], n = cs[1], segLen = cs[2];
            int reqs = lens.length, rows = 0, maxLen = 0, slots = 6;
            int[] row = new int[reqs], slot = {4, 0, 5, 2};
            for (int q = 0; q < reqs; q++) {
                row[q] = rows;
                rows += lens[q];
                maxLen = Math.max(maxLen, lens[q]);
            }
            int xw = 3 + 2 * n, bOff = 3, cOff = 3 + n;
            float[] u = random(rnd, rows * e, 1f), xz = random(rnd, rows * 2 * e, 1.5f), bc = random(rnd, rows * xw, 1f);
            float[] delta = new float[rows * e];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = Ops.softplus((float) rnd.nextGaussian() - 1f);
            }
            float[] a2 = new float[e * n], dskip = random(rnd, e, 1f);
            for (int i = 0; i < a2.length; i++) {
                a2[i] = (float) (-Math.exp(0.5 * rnd.nextGaussian()) * 1.4426950408889634);
            }
            long stateFloats = 7L + (long) e * n;  // a conv window in front of the SSM state, as in the engine
            float[] states = random(rnd, (int) (slots * stateFloats), 1f);
            double[] refY = new double[rows * e];
            double[] refS = new double[states.length];
            for (int i = 0; i < states.length; i++) {
                refS[i] = states[i];
            }
            for (int q = 0; q < reqs; q++) {
                for (int t = 0; t < lens[q]; t++) {
                    int rr = row[q] + t;
                    for (int c = 0; c < e; c++) {
                        double d = delta[rr * e + c], uu = u[rr * e + c], acc = 0;
                        for (int k = 0; k < n; k++) {
                            int si = (int) (slot[q] * stateFloats + 7 + (long) c * n + k);
                            refS[si] = Math.pow(2, d * a2[c * n + k]) * refS[si] + d * bc[rr * xw + bOff + k] * uu;
                            acc += refS[si] * bc[rr * xw + cOff + k];
                        }
                        double z = xz[rr * 2 * e + e + c];
                        refY[rr * e + c] = (acc + dskip[c] * uu) * (z / (1 + Math.exp(-z)));
                    }
                }
            }
            int segs = segLen == 0 ? 1 : Launcher.ceilDiv(maxLen, segLen);
            float[] gotY = new float[rows * e], gotS = new float[states.length];
            try (DeviceBuffer du = DeviceBuffer.upload(u, "u"); DeviceBuffer dd = DeviceBuffer.upload(delta, "delta");
                 DeviceBuffer dxz = DeviceBuffer.upload(xz, "xz"); DeviceBuffer dbc = DeviceBuffer.upload(bc, "bc");
                 DeviceBuffer da2 = DeviceBuffer.upload(a2, "A2"); DeviceBuffer dD = DeviceBuffer.upload(dskip, "D");
                 DeviceBuffer dst = DeviceBuffer.upload(states, "states"); DeviceBuffer dy = DeviceBuffer.floats(rows * e, "y");
                 DeviceBuffer desc = DeviceBuffer.ints(3 * reqs, "requests");
                 DeviceBuffer carry = DeviceBuffer.floats(Mamba1Mixer.carryFloats(n, (long) reqs * e * Mamba1Mixer.scanThreadsPerChannel(n) * segs),
                         "carry")) {
                desc.write(row, 0, reqs, 0);
                desc.write(lens, 0, reqs, reqs);
                desc.write(slot, 0, reqs, 2 * reqs);
                dy.fill(0, (long) rows * e, Float.floatToRawIntBits(Float.NaN));
                Launcher.Args a = args().ptr(du.address()).i(e).ptr(dd.address()).i(e).ptr(da2.address()).ptr(dbc.address())
                        .i(xw).i(bOff).i(cOff).ptr(dD.address()).ptr(dxz.at4(e)).i(2 * e).ptr(dy.address()).i(e)
                        .ptr(dst.address()).l(stateFloats).l(7L).ptr(desc.at4(0)).ptr(desc.at4(reqs)).ptr(desc.at4(2L * reqs))
                        .i(e).i(n).ptr(carry.address());
                Mamba1Mixer.scan(l, a, e, n, reqs, maxLen, segs);
                l.sync("scan test");
                dy.read(0, gotY, 0, rows * e);
                dst.read(0, gotS, 0, states.length);
            }
            double errY = Fixture.maxRelativeError(gotY, 0, refY, 0, rows * e);
            double errS = Fixture.maxRelativeError(gotS, 0, refS, 0, states.length);
            worstY = Math.max(worstY, errY);
            worstS = Math.max(worstS, errS);
            assertTrue(errY <= 1e-5 && errS <= 1e-5,
                    "scan E " + e + " N " + n + " segments " + segs + ": y " + errY + ", states " + errS);
        }
        System.out.printf("prefill scan: worst relative error vs float64 y %.2e, states %.2e%n", worstY, worstS);
    }

    @Test
    void rmsnormMatchesOps() {
        Random rnd = new Random(2);
        int rows = 37, d = 300;
        float[] x = random(rnd, rows * d, 2f);
        float[] w = random(rnd, d, 1f);
        float[] ref = new float[rows * d];
        Ops.rmsNorm(x, 0, w, 1e-5f, ref, 0, rows, d);
        float[] got = new float[rows * d];
        try (DeviceBuffer dx = DeviceBuffer.upload(x, "x"); DeviceBuffer dw = DeviceBuffer.upload(w, "w");
             DeviceBuffer dy = DeviceBuffer.floats((long) rows * d, "y")) {
            dy.fill(0, (long) rows * d, Float.floatToRawIntBits(Float.NaN));
            l.rmsnorm(dx.address(), 0L, dw.address(), 1e-5f, dy.address(), rows, d);
            l.sync("rmsnorm test");
            dy.read(0, got, 0, rows * d);
        }
        assertTrue(Fixture.maxRelativeError(got, ref) <= 1e-6, "rmsnorm " + Fixture.maxRelativeError(got, ref));
    }

    @Test
    void samplingOnTheDeviceDrawsWhatSamplerDraws() {
        Random rnd = new Random(3);
        int rows = 41, v = 1000;
        float[] logits = random(rnd, rows * v, 3f);
        for (int r = 0; r < rows; r += 5) {
            logits[r * v + 17] = logits[r * v + 400] = 50f; // ties at the top: the lower index wins
        }
        SamplingConfig[] configs = {SamplingConfig.of(0.7f, 1, 1f), SamplingConfig.of(1f, 40, 0.9f),
                SamplingConfig.of(1.3f, 64, 1f), SamplingConfig.of(0.5f, 10, 0.3f), SamplingConfig.of(2f, 64, 0.99f)};
        try (DeviceBuffer dl = DeviceBuffer.upload(logits, "logits"); DeviceBuffer out = DeviceBuffer.ints(rows, "out");
             DeviceBuffer du = DeviceBuffer.allocate(8L * rows, "uniforms")) {
            int[] got = new int[rows];
            l.launch("argmax_rows", rows, 1, 1, 256, 0, args().ptr(dl.address()).l(v).i(v).ptr(out.address()));
            l.sync("argmax test");
            out.read(0, got, 0, rows);
            for (int r = 0; r < rows; r++) {
                assertEquals(Sampler.argmax(logits, r * v, v), got[r], "argmax row " + r);
            }
            for (SamplingConfig c : configs) {
                Sampler sampler = new Sampler(c, v);
                double[] u = new double[rows];
                int[] expected = new int[rows];
                for (int r = 0; r < rows; r++) {
                    u[r] = new RandomState(1000 + r).nextDouble();
                    expected[r] = sampler.sample(logits, r * v, v, new RandomState(1000 + r));
                }
                jcuda.Pointer host = jcuda.Pointer.to(u);
                Cuda.check(JCudaDriver.cuMemcpyHtoD(du.at(0), host, 8L * rows), "upload uniforms");
                l.launch("sample_rows", rows, 1, 1, 256, 0, args().ptr(dl.address()).l(v).i(v).d(1.0 / c.temperature())
                        .i(c.topK()).f(c.topP()).ptr(du.address()).ptr(out.address()));
                l.sync("sample test");
                out.read(0, got, 0, rows);
                assertArrayEquals(expected, got, "sampling " + c);
            }
        }
    }

    @Test
    void aFailedLaunchNamesTheKernelShapeAndError() {
        CudaException e = assertThrows(CudaException.class,
                () -> l.launch("embed_rows", 1, 1, 1, 4096, 0, args().ptr(0L).ptr(0L).ptr(0L).i(1).i(1)));
        assertTrue(e.getMessage().contains("embed_rows grid(1,1,1) block(4096,1,1)"), e.getMessage());
        assertTrue(e.getMessage().contains("CUDA_ERROR_"), e.getMessage());
        System.out.println("error message example: " + e.getMessage());
    }

    @Test
    void enginesOnOneDeviceShareTheWeightsAndSlotsAreBounded() {
        Fixture f = Fixture.load("mamba1-tied");
        SequenceModel model = ModelLoader.load(f.modelDir);
        EngineOptions o = TestTuning.options().withMaxSlots(2);
        try (CudaEngine a = CudaEngine.create(model, f.modelDir, o); CudaEngine b = CudaEngine.create(model, f.modelDir, o)) {
            assertSame(a.weights(), b.weights());
            assertEquals(2, a.weights().users());
            a.openSlot();
            a.openSlot();
            assertThrows(IllegalStateException.class, a::openSlot);
            assertThrows(IllegalArgumentException.class,
                    () -> a.prefill(new int[] {0}, new int[][] {{model.vocabSize()}}, io.scanflow.kernels.Output.NONE, null));
        }
    }
}
