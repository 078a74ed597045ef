package io.scanflow.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.math.Ops;
import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/** The exact-operation transcendentals: vector and scalar twins agree bit for bit, and are accurate. */
class ExactMathTest {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    private static float[] inputs() {
        Random r = new Random(1);
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * (i % 3 == 0 ? 40 : 4));
        }
        float[] edges = {0f, -0f, 1e-30f, -1e-30f, 20f, 20.0001f, -87.3f, -87.31f, -87.6f, -87.7f, -88f, -88.1f, 88f, 88.01f,
            88.3f, 88.4f, 88.5f, 88.6f, -200f, 200f, 0.34657f, -0.34657f};
        System.arraycopy(edges, 0, x, 0, edges.length);
        return x;
    }

    @Test
    void vectorAndScalarTwinsGiveTheSameBits() {
        float[] x = inputs();
        float[] v = new float[S.length()];
        for (int i = 0; i + S.length() <= x.length; i += S.length()) {
            FloatVector in = FloatVector.fromArray(S, x, i);
            ExactMath.exp(in).intoArray(v, 0);
            for (int j = 0; j < S.length(); j++) {
                assertEquals(Float.floatToRawIntBits(ExactMath.exp(x[i + j])), Float.floatToRawIntBits(v[j]), "exp " + x[i + j]);
            }
            ExactMath.silu(in).intoArray(v, 0);
            for (int j = 0; j < S.length(); j++) {
                assertEquals(Float.floatToRawIntBits(ExactMath.silu(x[i + j])), Float.floatToRawIntBits(v[j]), "silu " + x[i + j]);
            }
            ExactMath.softplus(in).intoArray(v, 0);
            for (int j = 0; j < S.length(); j++) {
                assertEquals(Float.floatToRawIntBits(ExactMath.softplus(x[i + j])), Float.floatToRawIntBits(v[j]),
                        "softplus " + x[i + j]);
            }
        }
    }

    /** Every float from 20 to 22, a spread of larger ones and infinity: the sum alone gives x, as the branch does. */
    @Test
    void aboveTwentyTheVectorSoftplusIsTheInputWithoutABranch() {
        float[] x = new float[2 * (1 << 19) + 64];
        int n = 0;
        for (float f = Math.nextUp(20f); f <= 22f; f = Math.nextUp(f)) {
            x[n++] = f;
        }
        for (float f = 22f; n < x.length - 1; f *= 1.9f) {
            x[n++] = f;
        }
        x[n++] = Float.POSITIVE_INFINITY;
        float[] e = new float[n];
        float[] soft = Arrays.copyOf(x, n);
        ExactMath.expArray(soft, 0, e, 0, n, ExactMath.EXP_NEG_ABS);
        ExactMath.softplusGivenExp(soft, 0, e, n);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(soft[i]), "softplus " + x[i]);
        }
    }

    /** The array forms the kernels' loops use: the same bits as the scalar functions, lane or tail. */
    @Test
    void arrayFormsGiveTheScalarBits() {
        float[] x = inputs();
        int n = x.length - 5; // leaves a scalar tail
        float[] e = new float[n];
        int[] modes = {ExactMath.EXP, ExactMath.EXP_NEG, ExactMath.EXP_NEG_ABS};
        for (int mode : modes) {
            ExactMath.expArray(x, 3, e, 0, n, mode);
            for (int i = 0; i < n; i++) {
                float a = x[3 + i];
                float arg = mode == ExactMath.EXP ? a : mode == ExactMath.EXP_NEG ? -a : -Math.abs(a);
                assertEquals(Float.floatToRawIntBits(ExactMath.exp(arg)), Float.floatToRawIntBits(e[i]), "exp mode " + mode + " of " + a);
            }
        }
        float[] soft = x.clone();
        ExactMath.expArray(soft, 3, e, 0, n, ExactMath.EXP_NEG_ABS);
        ExactMath.softplusGivenExp(soft, 3, e, n);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(ExactMath.softplus(x[3 + i])), Float.floatToRawIntBits(soft[3 + i]),
                    "softplus " + x[3 + i]);
        }
    }

    /** Within a few float32 ulps of the double-precision functions where the models use them. */
    @Test
    void accurateToAFewUlps() {
        for (float x : inputs()) {
            if (x >= -87.3f && x <= 88.3f) {
                double e = Math.exp(x);
                assertTrue(Math.abs(ExactMath.exp(x) - e) <= 4 * Math.ulp((float) e), "exp " + x + ": " + ExactMath.exp(x) + " vs " + e);
            }
            assertTrue(Math.abs(ExactMath.silu(x) - Ops.silu(x)) <= 4 * Math.ulp(Math.max(Math.abs(Ops.silu(x)), 1e-30f)) + 1e-37,
                    "silu " + x);
            float sp = Ops.softplus(x);
            assertTrue(Math.abs(ExactMath.softplus(x) - sp) <= 4 * Math.ulp(Math.max(sp, Float.MIN_NORMAL)) + 1e-37,
                    "softplus " + x + ": " + ExactMath.softplus(x) + " vs " + sp);
        }
        // The ends of the clamped range: 2^-127 and 2^128 come out as +0 and +infinity.
        assertEquals(0f, ExactMath.exp(-87.7f));
        assertEquals(0f, ExactMath.exp(-100f));
        assertEquals(Float.POSITIVE_INFINITY, ExactMath.exp(88.4f));
        assertEquals(Float.POSITIVE_INFINITY, ExactMath.exp(100f));
        assertTrue(Float.isNaN(ExactMath.exp(Float.NaN)));
    }
}
