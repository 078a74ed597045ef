package io.scanflow.model.psm;

import static io.scanflow.model.psm.Bits.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The affine PSM against the plain recurrence {@code h_t = a_t h_{t-1} + b_t}.
 *
 * <p>Tolerance: any bracketing of {@code n} elements is within {@code gamma_{2n} M} of the exact
 * value, {@code M = sum_t |b_t| prod_{s > t} |a_s|} and {@code gamma_k = k u / (1 - k u)},
 * {@code u = 2^-24} (see {@link AffinePsm}); so two bracketings differ by at most
 * {@code 2 gamma_{2n} M}, about {@code 4 n u M}. The test data keep every product of a's far
 * above the float underflow threshold, so no absolute term is needed.
 */
class AffinePsmTest {

    private static final double U = Math.ulp(1.0f) / 2; // 2^-24
    private static final int WIDTH = 5;

    private static ForkJoinPool pool;

    @BeforeAll
    static void startPool() {
        pool = new ForkJoinPool(3);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdown();
    }

    /** Mamba-like elements: a = +-exp(-dt), dt in [0, 0.05] (some a negative), b in [-1, 1]. */
    private static List<AffinePair> elements(int n, int width, long seed) {
        Random random = new Random(seed);
        List<AffinePair> out = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            float[] a = new float[width];
            float[] b = new float[width];
            for (int k = 0; k < width; k++) {
                a[k] = (float) Math.exp(-0.05 * random.nextDouble()) * (random.nextInt(8) == 0 ? -1 : 1);
                b[k] = (float) (random.nextDouble() * 2 - 1);
            }
            out.add(AffinePair.of(a, b));
        }
        return out;
    }

    private static double gamma(long k) {
        return k * U / (1 - k * U);
    }

    /** {@code M_t} for t = 1..n per channel, in double: the recurrence on absolute values. */
    private static double[][] magnitudes(List<AffinePair> xs) {
        int width = xs.get(0).width();
        double[] m = new double[width];
        double[][] out = new double[xs.size()][];
        for (int t = 0; t < xs.size(); t++) {
            for (int k = 0; k < width; k++) {
                m[k] = Math.abs(xs.get(t).a()[k]) * m[k] + Math.abs(xs.get(t).b()[k]);
            }
            out[t] = m.clone();
        }
        return out;
    }

    private static void assertClose(float[] want, float[] got, double[] magnitude, int n, String what) {
        double tolerance = 2 * gamma(2L * n);
        for (int k = 0; k < want.length; k++) {
            double err = Math.abs((double) want[k] - got[k]);
            assertTrue(err <= tolerance * magnitude[k],
                    what + ", channel " + k + ": |" + want[k] + " - " + got[k] + "| = " + err
                            + " > 2 gamma_2n M = " + tolerance * magnitude[k]);
        }
    }

    private static AffinePair fold(List<AffinePair> xs, int from, int to) {
        AffinePair acc = xs.get(from);
        for (int t = from + 1; t < to; t++) {
            acc = AffinePair.compose(acc, xs.get(t));
        }
        return acc;
    }

    private static AffinePair rightFold(List<AffinePair> xs, int from, int to) {
        AffinePair acc = xs.get(to - 1);
        for (int t = to - 2; t >= from; t--) {
            acc = AffinePair.compose(xs.get(t), acc);
        }
        return acc;
    }

    private static AffinePair randomTree(List<AffinePair> xs, int from, int to, Random random) {
        if (to - from == 1) {
            return xs.get(from);
        }
        int split = from + 1 + random.nextInt(to - from - 1);
        return AffinePair.compose(randomTree(xs, from, split, random), randomTree(xs, split, to, random));
    }

    private static AffinePair balanced(List<AffinePair> xs, int from, int to) {
        if (to - from == 1) {
            return xs.get(from);
        }
        int mid = (from + to) >>> 1;
        return AffinePair.compose(balanced(xs, from, mid), balanced(xs, mid, to));
    }

    @Test
    void testCompositionIsExactlyAssociativeOnSmallIntegers() {
        // Small integers: every product and sum is exact in float, so all brackets agree exactly.
        Random random = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(10);
            List<AffinePair> xs = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                float[] a = new float[WIDTH];
                float[] b = new float[WIDTH];
                for (int k = 0; k < WIDTH; k++) {
                    a[k] = random.nextInt(5) - 2;
                    b[k] = random.nextInt(7) - 3;
                }
                xs.add(AffinePair.of(a, b));
            }
            AffinePair want = fold(xs, 0, n);
            assertSameValues(want, rightFold(xs, 0, n));
            assertSameValues(want, randomTree(xs, 0, n, random));
            assertSameValues(want, balanced(xs, 0, n));
            float[] h = AffinePsm.sequential(xs, new float[WIDTH])[n - 1];
            for (int k = 0; k < WIDTH; k++) {
                assertEquals(h[k], want.b()[k], 0f);
            }
        }
    }

    /** Equal as numbers ({@code -0 == 0}: the sign of an exact zero sum depends on the bracket). */
    private static void assertSameValues(AffinePair want, AffinePair got) {
        for (int k = 0; k < want.width(); k++) {
            assertTrue(want.a()[k] == got.a()[k] && want.b()[k] == got.b()[k], want + " vs " + got);
        }
    }

    @Test
    void testAnyBracketingMatchesTheRecurrenceWithinTolerance() {
        Random random = new Random(12);
        for (int n : new int[] {1, 2, 3, 17, 100, 1000}) {
            List<AffinePair> xs = elements(n, WIDTH, n);
            float[][] h = AffinePsm.sequential(xs, new float[WIDTH]);
            double[][] m = magnitudes(xs);
            // The left fold performs the recurrence's own float operations on b.
            assertBitsEqual(h[n - 1], fold(xs, 0, n).b(), "left fold, n=" + n);
            assertClose(h[n - 1], rightFold(xs, 0, n).b(), m[n - 1], n, "right fold, n=" + n);
            assertClose(h[n - 1], balanced(xs, 0, n).b(), m[n - 1], n, "balanced, n=" + n);
            for (int trial = 0; trial < 5; trial++) {
                assertClose(h[n - 1], randomTree(xs, 0, n, random).b(), m[n - 1], n, "random tree, n=" + n);
            }
        }
    }

    @Test
    void testChunkedEvaluatorsMatchTheRecurrenceWithinTolerance() {
        int length = 1000;
        List<AffinePair> xs = elements(length, WIDTH, 13);
        float[][] h = AffinePsm.sequential(xs, new float[WIDTH]);
        double[][] m = magnitudes(xs);
        for (int c : new int[] {1, 4, 7, 64}) {
            AffinePsm model = new AffinePsm(c, WIDTH);
            ParallelScan.Result<AffinePair, AffinePair, float[][]> parallel = ParallelScan.onPool(model, pool).evaluate(xs);
            StreamingScan<AffinePair, AffinePair, float[][]> stream = new StreamingScan<>(model);
            List<ChunkResult<AffinePair, float[][]>> streamed = stream.pushAll(xs);
            int n = parallel.chunks();
            assertEquals(length / c, n);
            for (int i = 0; i < n; i++) {
                float[][] ys = parallel.outputs().get(i);
                assertBitsEqual(ys, streamed.get(i).output(), "streaming output, chunk " + i + ", c=" + c);
                for (int j = 0; j < c; j++) {
                    int t = i * c + j;
                    assertClose(h[t], ys[j], m[t], t + 1, "h_" + (t + 1) + ", c=" + c);
                }
                if (i > 0) {
                    assertClose(h[i * c - 1], parallel.prefixes().get(i).b(), m[i * c - 1], i * c, "prefix " + i);
                }
            }
            int done = n * c;
            float[][] tail = stream.flush().orElse(new float[0][]);
            assertEquals(length - done, tail.length);
            for (int j = 0; j < tail.length; j++) {
                assertClose(h[done + j], tail[j], m[done + j], done + j + 1, "tail h, c=" + c);
            }
        }
    }

    @Test
    void testFlatScanIsBitIdenticalToTheGenericParallelScan() {
        AffinePsm model = new AffinePsm(1, 3);
        List<AffinePair> master = elements(200, 3, 14);
        for (int n = 1; n <= 200; n++) {
            List<AffinePair> xs = master.subList(0, n);
            float[] a = new float[n * 3];
            float[] b = new float[n * 3];
            for (int t = 0; t < n; t++) {
                System.arraycopy(xs.get(t).a(), 0, a, 3 * t, 3);
                System.arraycopy(xs.get(t).b(), 0, b, 3 * t, 3);
            }
            AffineScan.Prefixes flat = AffineScan.onPool(pool).prefixes(a, b, n, 3);
            List<AffinePair> generic = ParallelScan.sequential(model).evaluate(xs).prefixes();
            for (int t = 0; t <= n; t++) {
                AffinePair want = generic.get(t);
                AffinePair got = flat.state(t);
                assertBitsEqual(want.a(), got.a(), "a of s_" + t + ", n=" + n);
                assertBitsEqual(want.b(), got.b(), "b of s_" + t + ", n=" + n);
            }
        }
    }

    @Test
    void testComposeIntoMayOverwriteEitherInput() {
        List<AffinePair> xs = elements(2, WIDTH, 15);
        AffinePair want = AffinePair.compose(xs.get(0), xs.get(1));
        AffinePair left = xs.get(0).copy();
        AffinePair.composeInto(left, xs.get(1), left);
        assertEquals(want, left);
        AffinePair right = xs.get(1).copy();
        AffinePair.composeInto(xs.get(0), right, right);
        assertEquals(want, right);
    }

    @Test
    void testHiddenStateFromANonZeroStart() {
        List<AffinePair> xs = elements(300, WIDTH, 16);
        float[] h0 = {0.5f, -1f, 2f, 0f, -0.25f};
        float[][] h = AffinePsm.sequential(xs, h0);
        AffinePair prefix = ParallelScan.sequential(new AffinePsm(1, WIDTH)).evaluate(xs).finalState();
        // M with the start folded in as a leading element (0, h0).
        List<AffinePair> withStart = new ArrayList<>();
        withStart.add(AffinePair.of(new float[WIDTH], h0));
        withStart.addAll(xs);
        assertClose(h[299], AffinePsm.hidden(prefix, h0), magnitudes(withStart)[300], 301, "h_300 from h0");
    }

    @Test
    void testMambaDiscretisation() {
        int dInner = 3;
        int dState = 2;
        int length = 4;
        Random random = new Random(17);
        float[] delta = randoms(random, length * dInner, 0.01f, 0.5f);
        float[] a = randoms(random, dInner * dState, -3f, -0.1f);
        float[] b = randoms(random, length * dState, -1f, 1f);
        float[] x = randoms(random, length * dInner, -1f, 1f);
        List<AffinePair> xs = AffinePsm.discretizeSequence(delta, a, b, x, length, dInner, dState);
        assertEquals(length, xs.size());
        for (int t = 0; t < length; t++) {
            AffinePair p = xs.get(t);
            assertEquals(dInner * dState, p.width());
            for (int d = 0; d < dInner; d++) {
                for (int n = 0; n < dState; n++) {
                    float dt = delta[t * dInner + d];
                    assertEquals((float) Math.exp(dt * a[d * dState + n]), p.a()[d * dState + n], 0f);
                    assertEquals(dt * b[t * dState + n] * x[t * dInner + d], p.b()[d * dState + n], 0f);
                }
            }
            float[] deltaT = java.util.Arrays.copyOfRange(delta, t * dInner, (t + 1) * dInner);
            float[] bT = java.util.Arrays.copyOfRange(b, t * dState, (t + 1) * dState);
            float[] xT = java.util.Arrays.copyOfRange(x, t * dInner, (t + 1) * dInner);
            assertEquals(p, AffinePsm.discretize(deltaT, a, bT, xT, dInner, dState));
        }
        AffinePair wrapped = AffinePsm.fromDiscretized(xs.get(0).a(), xs.get(0).b());
        assertTrue(wrapped.a() == xs.get(0).a(), "fromDiscretized wraps without copying");
        assertThrows(IllegalArgumentException.class,
                () -> AffinePsm.discretize(new float[2], a, new float[dState], new float[dInner], dInner, dState));
        assertThrows(IllegalArgumentException.class, () -> AffinePair.of(new float[2], new float[3]));
    }

    private static float[] randoms(Random random, int n, float lo, float hi) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = lo + (hi - lo) * random.nextFloat();
        }
        return out;
    }
}
