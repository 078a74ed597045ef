package io.scanflow.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp and log1p built only from IEEE-exact operations (add, multiply, fused multiply-add, divide, bit
 * casts), each in a vector form and a scalar twin that give the same bits.
 *
 * <p>Why: the Vector API's own {@code EXP} / {@code LOG1P} round differently when HotSpot runs them
 * compiled (SIMD math stubs) and before compilation (per-lane {@code Math} calls). The same key could
 * then get different logits depending on JIT timing, which breaks exactly-once replay and
 * bundle-independence. Basic IEEE operations round the same everywhere, so these do not.
 *
 * <p>Accuracy: exp within 2.2 ulps of {@code Math.exp} over [-87.3, 88.3]
 * (scripts/fit_exp_polynomial.py), log1p within 2 of {@code Math.log1p} over the range softplus
 * uses; the tests allow 4. exp gives 0 below about -87.68 (where 2^k would be 2^-127; true values there
 * are below 1e-38) and +infinity from about 88.37 (2^k = 2^128; exp(88.72) is the float maximum): the
 * argument is clamped to [-88, 88.5], where k + 127 stays in [0, 255], whose exponent bits are +0 and
 * +infinity at the ends. So the range needs no compares or blends, which were a fifth of the vector
 * form's operations.
 */
final class ExactMath {
    // The constants are package-private for the scan's step loop, which writes expArray's operations out
    // (Scan.rowWithDecays) and must give its bits.

    /** The species of {@link #expArray}: a constant, as the Vector API needs to compile to SIMD. */
    private static final VectorSpecies<Float> PREFERRED = FloatVector.SPECIES_PREFERRED;
    /** Int lanes of the same shape, for the exponent bits. */
    static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.42860682030941723212e-6f;
    /**
     * 1.5 * 2^23 + 127: adding it rounds a float to the nearest integer k and leaves k + 127, the exponent
     * field of 2^k, in the sum's low mantissa bits, so that 2^k's bits are the sum's bits shifted left by 23
     * (the higher bits fall off): one operation, where k then k + 127 took two.
     */
    static final float ROUNDER = 12582912f + 127f;
    static final float MIN_ARG = -88f;
    static final float MAX_ARG = 88.5f;
    // -k ln2 in two parts, negated so that r = fma(k, -LN2_HI, x) needs no negation of k.
    static final float NEG_LN2_HI = -LN2_HI;
    static final float NEG_LN2_LO = -LN2_LO;
    // exp(r) on |r| <= ln2/2 as 1 + r + r^2 (C2 + C3 r + C4 r^2 + C5 r^3) (Horner, fused): C2..C5 minimise
    // the largest relative error (1.04e-7) with the first two terms kept exact. As accurate as the degree-6
    // Taylor series (2.2 against 2.7 ulps at worst over [-87.3, 88.3]) for one multiply-add less. Fitted
    // and checked by scripts/fit_exp_polynomial.py.
    static final float C5 = 8.312697e-3f;
    static final float C4 = 4.1890398e-2f;
    static final float C3 = 1.6667114e-1f;
    static final float C2 = 0.4999923f;

    private ExactMath() {}

    static float exp(float x) {
        float c = Math.min(Math.max(x, MIN_ARG), MAX_ARG);
        float t = Math.fma(c, LOG2E, ROUNDER);
        float k = t - ROUNDER;
        float r = Math.fma(k, NEG_LN2_HI, c);
        r = Math.fma(k, NEG_LN2_LO, r);
        float p = Math.fma(C5, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        return p * Float.intBitsToFloat(Float.floatToRawIntBits(t) << 23);
    }

    static FloatVector exp(FloatVector x) {
        VectorSpecies<Float> s = x.species();
        FloatVector clamped = x.max(FloatVector.broadcast(s, MIN_ARG)).min(FloatVector.broadcast(s, MAX_ARG));
        FloatVector t = clamped.fma(FloatVector.broadcast(s, LOG2E), FloatVector.broadcast(s, ROUNDER));
        FloatVector k = t.sub(FloatVector.broadcast(s, ROUNDER));
        FloatVector r = k.fma(FloatVector.broadcast(s, NEG_LN2_HI), clamped);
        r = k.fma(FloatVector.broadcast(s, NEG_LN2_LO), r);
        FloatVector p = FloatVector.broadcast(s, C5).fma(r, FloatVector.broadcast(s, C4));
        p = p.fma(r, FloatVector.broadcast(s, C3));
        p = p.fma(r, FloatVector.broadcast(s, C2));
        p = p.fma(r, FloatVector.broadcast(s, 1f));
        p = p.fma(r, FloatVector.broadcast(s, 1f));
        // 2^k = bits (k + 127) << 23, k + 127 in [0, 255] (see ROUNDER). The shift count is a vector on
        // purpose: JDK 17's C2 does not intrinsify a 512-bit shift by a scalar count (per-lane Java code, 10x
        // slower), and a multiply by 2^23 instead is a slow instruction on Intel cores.
        IntVector bits = t.reinterpretAsInts();
        return p.mul(bits.lanewise(VectorOperators.LSHL, IntVector.broadcast(bits.species(), 23)).reinterpretAsFloats());
    }

    /** Modes of {@link #expArray}: the argument is x, -x or -|x|. */
    static final int EXP = 0, EXP_NEG = 1, EXP_NEG_ABS = 2;

    /**
     * dst[dOff + i] = exp(f(src[sOff + i])) for i in [0, n), f chosen by {@code mode}: the hot loops' form
     * of {@link #exp(FloatVector)}, same operations, written out inside the loop. Why not call the
     * vector method: when C2 runs out of inlining budget it compiles such a method on its own, where the
     * species is no constant, and every vector operation then falls back to allocating Java code. Array
     * arguments have nothing to box.
     */
    static void expArray(float[] src, int sOff, float[] dst, int dOff, int n, int mode) {
        VectorSpecies<Float> s = PREFERRED;
        int l = s.length();
        int i = 0;
        for (; i + l <= n; i += l) {
            FloatVector x = FloatVector.fromArray(s, src, sOff + i);
            x = mode == EXP_NEG ? x.neg() : mode == EXP_NEG_ABS ? x.abs().neg() : x;
            FloatVector c = x.max(FloatVector.broadcast(s, MIN_ARG)).min(FloatVector.broadcast(s, MAX_ARG));
            FloatVector t = c.fma(FloatVector.broadcast(s, LOG2E), FloatVector.broadcast(s, ROUNDER));
            FloatVector k = t.sub(FloatVector.broadcast(s, ROUNDER));
            FloatVector r = k.fma(FloatVector.broadcast(s, NEG_LN2_HI), c);
            r = k.fma(FloatVector.broadcast(s, NEG_LN2_LO), r);
            FloatVector p = FloatVector.broadcast(s, C5).fma(r, FloatVector.broadcast(s, C4));
            p = p.fma(r, FloatVector.broadcast(s, C3));
            p = p.fma(r, FloatVector.broadcast(s, C2));
            p = p.fma(r, FloatVector.broadcast(s, 1f));
            p = p.fma(r, FloatVector.broadcast(s, 1f));
            p.mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, IntVector.broadcast(INTS, 23)).reinterpretAsFloats())
                    .intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            float x = src[sOff + i];
            dst[dOff + i] = exp(mode == EXP_NEG ? -x : mode == EXP_NEG_ABS ? -Math.abs(x) : x);
        }
    }

    /** SiLU(x) = x / (1 + exp(-x)). */
    static float silu(float x) {
        return x / (1f + exp(-x));
    }

    static FloatVector silu(FloatVector x) {
        return x.div(exp(x.neg()).add(FloatVector.broadcast(x.species(), 1f)));
    }

    /**
     * softplus(x) = max(x, 0) + log1p(exp(-|x|)); linear above 20 as PyTorch. log1p(u) for u in [0, 1]
     * is 2 atanh(s) with s = u / (2 + u) in [0, 1/3], a short odd series.
     *
     * <p>Above 20 the series term is below 2.1e-9, under half an ulp of x (9.5e-7 at 20), so the sum is
     * x exactly: the vector forms need no compare and blend for that branch. (Inlined into a large caller,
     * that compare was at times left as Java code by C2, which then allocated on every call.)
     */
    static float softplus(float x) {
        if (x > 20f) {
            return x;
        }
        float u = exp(-Math.abs(x));
        float s = u / (2f + u);
        float s2 = s * s;
        float q = Math.fma(S13, s2, S11);
        q = Math.fma(q, s2, S9);
        q = Math.fma(q, s2, S7);
        q = Math.fma(q, s2, S5);
        q = Math.fma(q, s2, S3);
        q = Math.fma(q, s2, 1f);
        return Math.max(x, 0f) + 2f * s * q;
    }

    static FloatVector softplus(FloatVector x) {
        VectorSpecies<Float> sp = x.species();
        FloatVector u = exp(x.abs().neg());
        FloatVector s = u.div(u.add(FloatVector.broadcast(sp, 2f)));
        FloatVector s2 = s.mul(s);
        FloatVector q = FloatVector.broadcast(sp, S13).fma(s2, FloatVector.broadcast(sp, S11));
        q = q.fma(s2, FloatVector.broadcast(sp, S9));
        q = q.fma(s2, FloatVector.broadcast(sp, S7));
        q = q.fma(s2, FloatVector.broadcast(sp, S5));
        q = q.fma(s2, FloatVector.broadcast(sp, S3));
        q = q.fma(s2, FloatVector.broadcast(sp, 1f));
        return x.max(FloatVector.zero(sp)).add(s.mul(q).mul(FloatVector.broadcast(sp, 2f)));
    }

    /**
     * a[o + i] = softplus(a[o + i]) for i in [0, m), given e[i] = exp(-|a[o + i]|) from {@link #expArray}:
     * the rest of {@link #softplus(FloatVector)}, written out in the loop for the reason given there.
     */
    static void softplusGivenExp(float[] a, int o, float[] e, int m) {
        VectorSpecies<Float> sp = PREFERRED;
        int l = sp.length();
        int i = 0;
        for (; i + l <= m; i += l) {
            FloatVector x = FloatVector.fromArray(sp, a, o + i);
            FloatVector u = FloatVector.fromArray(sp, e, i);
            FloatVector s = u.div(u.add(FloatVector.broadcast(sp, 2f)));
            FloatVector s2 = s.mul(s);
            FloatVector q = FloatVector.broadcast(sp, S13).fma(s2, FloatVector.broadcast(sp, S11));
            q = q.fma(s2, FloatVector.broadcast(sp, S9));
            q = q.fma(s2, FloatVector.broadcast(sp, S7));
            q = q.fma(s2, FloatVector.broadcast(sp, S5));
            q = q.fma(s2, FloatVector.broadcast(sp, S3));
            q = q.fma(s2, FloatVector.broadcast(sp, 1f));
            x.max(FloatVector.zero(sp)).add(s.mul(q).mul(FloatVector.broadcast(sp, 2f))).intoArray(a, o + i);
        }
        for (; i < m; i++) {
            a[o + i] = softplus(a[o + i]);
        }
    }

    private static final float S3 = 1f / 3;
    private static final float S5 = 1f / 5;
    private static final float S7 = 1f / 7;
    private static final float S9 = 1f / 9;
    private static final float S11 = 1f / 11;
    private static final float S13 = 1f / 13;
}
