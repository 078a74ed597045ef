package io.scanflow.model.psm;

import static io.scanflow.model.psm.Bits.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.config.MambaConfig;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.math.Ops;
import io.scanflow.model.testing.Fixture;
import io.scanflow.model.weights.Checkpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mamba is a PSM: a real Mamba-1 model's selective scan, computed as the affine PSM over its own
 * {@code (dA, dBu)} in any bracketing and chunking, equals the model's recurrent scan to float
 * rounding, and the outputs computed from the PSM's prefix states equal the model's outputs.
 *
 * <p>The model is the {@code mamba1-tied} fixture (2 layers, d_inner 64, N 8) run by
 * {@code Mamba1} one token at a time. The scan inputs are recomputed here from the checkpoint with
 * the same {@link Ops} calls in the same order as {@code Mamba1.mix} (its per-layer weights are
 * private): RMSNorm, in_proj, causal conv + SiLU, x_proj, dt_proj + softplus,
 * {@code dA = exp(delta A)}, {@code dBu = (delta x) B} (Mamba1's order of the two multiplies). The
 * model's hidden states are read from its {@code RecurrentState} (per layer: conv window
 * {@code [E, K-1]}, then the SSM state {@code [E, N]}).
 *
 * <p>Tolerance, per channel and position t, as in {@link AffinePsmTest}: {@code 2 gamma_{2t} M_t},
 * {@code M_t = sum_s |b_s| prod_{s<r<=t} |a_r|}.
 */
class MambaIsAPsmTest {

    private static final double U = Math.ulp(1.0f) / 2;
    private static final int[] CHUNKS = {1, 2, 3, 5, 8, 16, 40};

    private static ForkJoinPool pool;

    @BeforeAll
    static void startPool() {
        pool = new ForkJoinPool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdown();
    }

    /** The fixture's weights, read the way Mamba1.load reads them. */
    private static final class Weights {
        final MambaConfig cfg;
        final float[] embedding;
        final float[][] norm, inProj, convW, convB, xProj, dtProj, dtBias, negA, d, outProj;
        final float[] finalNorm;

        Weights(MambaConfig cfg, Checkpoint ck) {
            this.cfg = cfg;
            int layers = cfg.numLayers(), dm = cfg.hiddenSize(), e = cfg.intermediateSize(), n = cfg.stateSize();
            int k = cfg.convKernel(), r = cfg.dtRank();
            embedding = ck.floats("backbone.embeddings.weight", cfg.vocabSize(), dm);
            norm = new float[layers][];
            inProj = new float[layers][];
            convW = new float[layers][];
            convB = new float[layers][];
            xProj = new float[layers][];
            dtProj = new float[layers][];
            dtBias = new float[layers][];
            negA = new float[layers][];
            d = new float[layers][];
            outProj = new float[layers][];
            for (int l = 0; l < layers; l++) {
                String p = "backbone.layers." + l + ".";
                String m = p + "mixer.";
                norm[l] = ck.floats(p + "norm.weight", dm);
                inProj[l] = ck.floats(m + "in_proj.weight", 2L * e, dm);
                convW[l] = ck.floats(m + "conv1d.weight", e, 1, k);
                convB[l] = ck.floats(m + "conv1d.bias", e);
                xProj[l] = ck.floats(m + "x_proj.weight", r + 2L * n, e);
                dtProj[l] = ck.floats(m + "dt_proj.weight", e, r);
                dtBias[l] = ck.floats(m + "dt_proj.bias", e);
                float[] aLog = ck.floats(m + "A_log", e, n);
                negA[l] = new float[aLog.length];
                for (int j = 0; j < aLog.length; j++) {
                    negA[l][j] = (float) -Math.exp(aLog[j]);
                }
                d[l] = ck.floats(m + "D", e);
                outProj[l] = ck.floats(m + "out_proj.weight", dm, e);
            }
            finalNorm = ck.floats("backbone.norm_f.weight", dm);
        }
    }

    /** One layer's selective-scan inputs over a whole sequence. */
    private record ScanInputs(List<AffinePair> elements, float[] u, float[] z, float[] c) {
    }

    private static ScanInputs scanInputs(Weights w, int layer, float[] residual, int length) {
        MambaConfig cfg = w.cfg;
        int dm = cfg.hiddenSize(), e = cfg.intermediateSize(), n = cfg.stateSize(), k = cfg.convKernel();
        int r = cfg.dtRank(), xw = r + 2 * n;
        float[] normed = new float[length * dm];
        Ops.rmsNorm(residual, 0, w.norm[layer], cfg.normEpsilon(), normed, 0, length, dm);
        float[] xz = new float[length * 2 * e];
        Ops.linear(normed, 0, dm, length, dm, w.inProj[layer], null, 2 * e, xz, 0, 2 * e);
        float[] u = new float[length * e];
        float[] z = new float[length * e];
        for (int t = 0; t < length; t++) {
            for (int ch = 0; ch < e; ch++) {
                float acc = w.convB[layer][ch];
                for (int j = 0; j < k; j++) {
                    int src = t - (k - 1) + j;
                    float x = src >= 0 ? xz[src * 2 * e + ch] : 0f; // a fresh state's conv window is zero
                    acc += w.convW[layer][ch * k + j] * x;
                }
                u[t * e + ch] = Ops.silu(acc);
                z[t * e + ch] = xz[t * 2 * e + e + ch];
            }
        }
        float[] xDbl = new float[length * xw];
        Ops.linear(u, 0, e, length, e, w.xProj[layer], null, xw, xDbl, 0, xw);
        float[] delta = new float[length * e];
        Ops.linear(xDbl, 0, xw, length, r, w.dtProj[layer], w.dtBias[layer], e, delta, 0, e);
        List<AffinePair> elements = new ArrayList<>(length);
        float[] c = new float[length * n];
        for (int t = 0; t < length; t++) {
            float[] dA = new float[e * n];
            float[] dBu = new float[e * n];
            for (int ch = 0; ch < e; ch++) {
                float dt = Ops.softplus(delta[t * e + ch]);
                float deltaX = dt * u[t * e + ch];
                for (int j = 0; j < n; j++) {
                    dA[ch * n + j] = (float) Math.exp(dt * w.negA[layer][ch * n + j]);
                    dBu[ch * n + j] = deltaX * xDbl[t * xw + r + j];
                }
            }
            elements.add(AffinePsm.fromDiscretized(dA, dBu));
            System.arraycopy(xDbl, t * xw + r + n, c, t * n, n);
        }
        return new ScanInputs(elements, u, z, c);
    }

    /** residual += out_proj(y * SiLU(z)), y[ch] = sum_n h[ch, n] C[n] + D[ch] u[ch]: Mamba1's order. */
    private static void finishLayer(Weights w, int layer, ScanInputs in, float[][] h, float[] residual, int length) {
        MambaConfig cfg = w.cfg;
        int dm = cfg.hiddenSize(), e = cfg.intermediateSize(), n = cfg.stateSize();
        float[] y = new float[length * e];
        for (int t = 0; t < length; t++) {
            for (int ch = 0; ch < e; ch++) {
                float acc = 0f;
                for (int j = 0; j < n; j++) {
                    acc += h[t][ch * n + j] * in.c[t * n + j];
                }
                acc += w.d[layer][ch] * in.u[t * e + ch];
                y[t * e + ch] = acc * Ops.silu(in.z[t * e + ch]);
            }
        }
        float[] mixed = new float[length * dm];
        Ops.linear(y, 0, e, length, e, w.outProj[layer], null, dm, mixed, 0, dm);
        for (int i = 0; i < length * dm; i++) {
            residual[i] += mixed[i];
        }
    }

    /** Logits [length, V] of the whole network, each layer's scan done by {@code scan}. */
    private static float[] logitsWithScan(Weights w, int[] tokens, Function<List<AffinePair>, float[][]> scan) {
        MambaConfig cfg = w.cfg;
        int dm = cfg.hiddenSize(), v = cfg.vocabSize(), length = tokens.length;
        float[] residual = new float[length * dm];
        for (int t = 0; t < length; t++) {
            System.arraycopy(w.embedding, tokens[t] * dm, residual, t * dm, dm);
        }
        for (int l = 0; l < cfg.numLayers(); l++) {
            ScanInputs in = scanInputs(w, l, residual, length);
            finishLayer(w, l, in, scan.apply(in.elements()), residual, length);
        }
        float[] hidden = new float[length * dm];
        Ops.rmsNorm(residual, 0, w.finalNorm, cfg.normEpsilon(), hidden, 0, length, dm);
        float[] logits = new float[length * v];
        Ops.linear(hidden, 0, dm, length, dm, w.embedding, null, v, logits, 0, v);
        return logits;
    }

    /** h_t for every element: chunk outputs from prefix states, then the tail (partial chunk). */
    private static float[][] hiddenFromPsm(ParallelScan.Result<AffinePair, AffinePair, float[][]> r, int length) {
        float[][] h = new float[length][];
        int t = 0;
        for (float[][] chunk : r.outputs()) {
            for (float[] row : chunk) {
                h[t++] = row;
            }
        }
        if (r.tailOutput() != null) {
            for (float[] row : r.tailOutput()) {
                h[t++] = row;
            }
        }
        assertEquals(length, t);
        return h;
    }

    private static float[][] parallelHidden(List<AffinePair> xs, int chunk) {
        return hiddenFromPsm(ParallelScan.onPool(new AffinePsm(chunk, xs.get(0).width()), pool).evaluate(xs), xs.size());
    }

    /** The model's own recurrent scan, one token per call, reading each layer's SSM state after it. */
    private static final class ModelRun {
        final float[][][] states; // [layer][t][E * N]
        final float[] logits;     // [length, V]

        ModelRun(SequenceModel model, MambaConfig cfg, int[] tokens) {
            int e = cfg.intermediateSize(), n = cfg.stateSize(), k = cfg.convKernel(), v = cfg.vocabSize();
            int layerFloats = e * (k - 1 + n);
            states = new float[cfg.numLayers()][tokens.length][];
            logits = new float[tokens.length * v];
            RecurrentState state = model.newState();
            Workspace ws = model.newWorkspace(1);
            float[] hidden = new float[cfg.hiddenSize()];
            for (int t = 0; t < tokens.length; t++) {
                model.prefill(state, tokens, t, 1, hidden, 0, ws);
                model.logits(hidden, 0, 1, logits, t * v);
                for (int l = 0; l < cfg.numLayers(); l++) {
                    int from = l * layerFloats + e * (k - 1);
                    states[l][t] = java.util.Arrays.copyOfRange(state.data(), from, from + e * n);
                }
            }
        }
    }

    private static double gamma(long k) {
        return k * U / (1 - k * U);
    }

    /** Largest |want - got| / (u M_t) seen by {@link #assertWithinRounding} (for the log line). */
    private static double worstInUnits;

    /** |want - got| <= 2 gamma_{2(t+1)} M_t per channel, for every position t. */
    private static void assertWithinRounding(float[][] want, float[][] got, List<AffinePair> xs, String what) {
        int width = xs.get(0).width();
        double[] m = new double[width];
        for (int t = 0; t < xs.size(); t++) {
            double tol = 2 * gamma(2L * (t + 1));
            for (int k = 0; k < width; k++) {
                m[k] = Math.abs(xs.get(t).a()[k]) * m[k] + Math.abs(xs.get(t).b()[k]);
                double err = Math.abs((double) want[t][k] - got[t][k]);
                if (m[k] > 0) {
                    worstInUnits = Math.max(worstInUnits, err / (U * m[k]));
                }
                if (err > tol * m[k]) {
                    throw new AssertionError(what + ", t=" + t + ", channel " + k + ": |" + want[t][k] + " - "
                            + got[t][k] + "| = " + err + " > 2 gamma M = " + tol * m[k]);
                }
            }
        }
    }

    @Test
    void testSelectiveScanOfEachLayerIsTheAffinePsmInAnyBracketing() {
        Fixture fx = Fixture.load("mamba1-tied");
        SequenceModel model = ModelLoader.load(fx.modelDir);
        MambaConfig cfg = (MambaConfig) model.config();
        Weights w;
        try (Checkpoint ck = Checkpoint.open(fx.modelDir)) {
            w = new Weights(cfg, ck);
        }
        int[] tokens = fx.sequence(0);
        int length = tokens.length;
        ModelRun run = new ModelRun(model, cfg, tokens);
        Random random = new Random(1);

        int dm = cfg.hiddenSize();
        float[] residual = new float[length * dm];
        for (int t = 0; t < length; t++) {
            System.arraycopy(w.embedding, tokens[t] * dm, residual, t * dm, dm);
        }
        for (int l = 0; l < cfg.numLayers(); l++) {
            ScanInputs in = scanInputs(w, l, residual, length);
            List<AffinePair> xs = in.elements();
            int width = cfg.intermediateSize() * cfg.stateSize();
            assertEquals(width, xs.get(0).width());
            float[][] model1 = run.states[l];

            // The recurrence run element by element is the model's scan, bit for bit.
            float[][] sequential = AffinePsm.sequential(xs, new float[width]);
            assertBitsEqual(model1, sequential, "layer " + l + ": sequential affine recurrence vs Mamba1");

            // Chunked: parallel (Blelloch) and streaming evaluators, every chunk size, prefix states
            // s_i.b at chunk boundaries and Inf's outputs inside chunks.
            for (int c : CHUNKS) {
                AffinePsm psm = new AffinePsm(c, width);
                ParallelScan.Result<AffinePair, AffinePair, float[][]> parallel =
                        ParallelScan.onPool(psm, pool).evaluate(xs);
                float[][] h = hiddenFromPsm(parallel, length);
                assertWithinRounding(model1, h, xs, "layer " + l + ", parallel, c=" + c);
                float[][] boundaries = model1.clone();
                for (int i = 1; i <= parallel.chunks(); i++) {
                    boundaries[i * c - 1] = parallel.prefixes().get(i).b(); // s_i.b: h after chunk i - 1
                }
                assertWithinRounding(model1, boundaries, xs, "layer " + l + ", prefix states, c=" + c);
                StreamingScan<AffinePair, AffinePair, float[][]> stream = new StreamingScan<>(psm);
                List<ChunkResult<AffinePair, float[][]>> results = stream.pushAll(xs);
                for (int i = 0; i < results.size(); i++) {
                    assertBitsEqual(parallel.outputs().get(i), results.get(i).output(), "streaming = parallel, c=" + c);
                }
            }

            // Flat Blelloch scan, c = 1.
            float[] a = new float[length * width];
            float[] b = new float[length * width];
            for (int t = 0; t < length; t++) {
                System.arraycopy(xs.get(t).a(), 0, a, t * width, width);
                System.arraycopy(xs.get(t).b(), 0, b, t * width, width);
            }
            AffineScan.Prefixes flat = AffineScan.onPool(pool).prefixes(a, b, length, width);
            float[][] fromFlat = new float[length][];
            for (int t = 0; t < length; t++) {
                fromFlat[t] = flat.state(t + 1).b();
            }
            assertWithinRounding(model1, fromFlat, xs, "layer " + l + ", AffineScan");

            // Arbitrary bracketings of the whole prefix: right fold, balanced, random trees.
            float[][] last = new float[length][];
            for (int t = 0; t < length; t++) {
                last[t] = t == length - 1 ? model1[t] : sequential[t];
            }
            for (int trial = 0; trial < 6; trial++) {
                AffinePair whole = trial == 0 ? rightFold(xs) : trial == 1 ? balanced(xs, 0, length)
                        : randomTree(xs, 0, length, random);
                float[][] got = last.clone();
                got[length - 1] = whole.b();
                assertWithinRounding(model1, got, xs, "layer " + l + ", bracketing " + trial);
            }

            // Go on to the next layer with the model's own states (bit-identical to the sequential PSM).
            finishLayer(w, l, in, sequential, residual, length);
        }
        System.out.printf("Mamba-1 selective scan as an affine PSM: %d tokens, %d layers; largest gap to the"
                + " model's recurrence over all bracketings %.2f u M_t (bound 4(t+1) u M_t)%n",
                length, cfg.numLayers(), worstInUnits);
    }

    @Test
    void testMambaOutputsFromPsmPrefixStatesEqualTheModelsOutputs() {
        Fixture fx = Fixture.load("mamba1-tied");
        SequenceModel model = ModelLoader.load(fx.modelDir);
        MambaConfig cfg = (MambaConfig) model.config();
        Weights w;
        try (Checkpoint ck = Checkpoint.open(fx.modelDir)) {
            w = new Weights(cfg, ck);
        }
        double worstLogits = 0;
        for (int s = 0; s < fx.batch; s++) {
            int[] tokens = fx.sequence(s);
            float[] modelLogits = new ModelRun(model, cfg, tokens).logits;
            // One chunk: Inf runs the recurrence from e; every layer's y, hence the logits, bit for bit.
            float[] oneChunk = logitsWithScan(w, tokens, xs -> parallelHidden(xs, xs.size()));
            assertBitsEqual(modelLogits, oneChunk, "sequence " + s + ": logits via the PSM in one chunk");
            // Chunked Blelloch bracketings: the same outputs to float rounding (and the same as HF's).
            for (int c : new int[] {1, 4, 7}) {
                float[] chunked = logitsWithScan(w, tokens, xs -> parallelHidden(xs, c));
                double err = Fixture.maxRelativeError(chunked, modelLogits);
                assertTrue(err < 1e-5, "sequence " + s + ", c=" + c + ": logits max rel err " + err);
                worstLogits = Math.max(worstLogits, err);
                double hf = Fixture.maxRelativeError(chunked, 0, fx.logits, s * tokens.length * cfg.vocabSize(),
                        tokens.length * cfg.vocabSize());
                assertTrue(hf < 1e-4, "sequence " + s + ", c=" + c + ": vs HF float64 " + hf);
            }
        }
        System.out.printf("Mamba-1 logits from PSM prefix states: one chunk bit-identical; chunked (c = 1, 4, 7)"
                + " max rel err %.3e vs the model%n", worstLogits);
    }

    private static AffinePair rightFold(List<AffinePair> xs) {
        AffinePair acc = xs.get(xs.size() - 1);
        for (int t = xs.size() - 2; t >= 0; t--) {
            acc = AffinePair.compose(xs.get(t), acc);
        }
        return acc;
    }

    private static AffinePair balanced(List<AffinePair> xs, int from, int to) {
        if (to - from == 1) {
            return xs.get(from);
        }
        int mid = (from + to) >>> 1;
        return AffinePair.compose(balanced(xs, from, mid), balanced(xs, mid, to));
    }

    private static AffinePair randomTree(List<AffinePair> xs, int from, int to, Random random) {
        if (to - from == 1) {
            return xs.get(from);
        }
        int split = from + 1 + random.nextInt(to - from - 1);
        return AffinePair.compose(randomTree(xs, from, split, random), randomTree(xs, split, to, random));
    }
}
