package io.scanflow.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Mamba-1 selective scan on SIMD lanes, in two forms that give the same bits:
 * <ul>
 *   <li>across channels (lanes = L consecutive channels, a loop over the N states): no horizontal sums.
 *       The block's state and A are transposed to [N, L] once per call, which pays for itself over the
 *       rows of a prefill chunk;</li>
 *   <li>across states (lanes = the N states of one channel, one horizontal sum per channel): no
 *       transposes, the cheaper form for one row (a recurrent step) when N equals the lane count.</li>
 * </ul>
 * Both compute, per channel and row, {@code s = exp(A dt) s + B (dt x)} (two products then a sum),
 * {@code acc = ((0 + s_0 C_0) + s_1 C_1) + ...} in state order (the Vector API's float ADD reduction adds
 * lanes in order, compiled or not), then {@code y = (acc + D x) * SiLU(z)}. Channels past the last whole
 * vector run the same operations in scalar form ({@link ExactMath}'s twins are bit-identical).
 */
final class Scan {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Rows of a block whose decays are computed together (32 rows x N x L floats: 32 KB at N = 16). */
    static final int DECAY_ROWS = 32;

    private Scan() {}

    /** Whether {@link #channels} leaves the SiLU(z) gate to its caller (see {@link #perChannel}). */
    static boolean callerGates(int n, int rows) {
        return rows == 1 && n == L;
    }

    /**
     * Channels [from, to) of all rows; {@code from} is a multiple of L. When {@link #callerGates}, y is
     * left before the gate and the caller applies {@link VectorKernels#siluGate} to [from, to).
     */
    static void channels(int from, int to, int channels, int n, int rows,
                         float[] delta, float[] u, int rowOff, float[] z, int zOff, int zStride,
                         float[] bc, int bOff, int cOff, int bcStride,
                         float[] negA, float[] d, float[] state, int stateOff, float[] y, Scratch scratch) {
        if (callerGates(n, rows)) {
            perChannel(from, to, n, delta, u, rowOff, bc, bOff, cOff, negA, d, state, stateOff, y, scratch);
            return;
        }
        int c = from;
        if (c + L <= to) {
            scratch.ensureScanBlock(n * L, DECAY_ROWS * n * L);
        }
        for (; c + L <= to; c += L) {
            block(c, channels, n, rows, delta, u, rowOff, bc, bOff, cOff, bcStride, negA, d, state, stateOff, y,
                    scratch.stateBlock, scratch.negABlock, scratch.decayBlock);
        }
        // The gate in its own pass keeps row() small enough for C2 to inline everything in it; one call per
        // row over all the whole-vector channels.
        if (c > from) {
            for (int t = 0; t < rows; t++) {
                VectorKernels.INSTANCE.siluGate(y, rowOff + t * channels + from, z, zOff + t * zStride + from, c - from);
            }
        }
        for (; c < to; c++) {
            scalarChannel(c, channels, n, rows, delta, u, rowOff, z, zOff, zStride, bc, bOff, cOff, bcStride, negA,
                    d[c], state, stateOff + c * n, y);
        }
    }

    /**
     * One row, N = L: lanes = the N states of a channel, one ordered horizontal sum per channel. The gate
     * is left to the caller: inlined here, its SiLU overran C2's inlining budget and got boxed vectors.
     */
    private static void perChannel(int from, int to, int n, float[] delta, float[] u, int rowOff,
                                   float[] bc, int bOff, int cOff, float[] negA, float[] d, float[] state,
                                   int stateOff, float[] y, Scratch scratch) {
        // All channels' exp(delta A) first, in one long loop that pipelines well, then the updates.
        float[] dA = scratch.decay((to - from) * n);
        for (int c = from; c < to; c++) {
            FloatVector.fromArray(S, negA, c * n).mul(delta[rowOff + c]).intoArray(dA, (c - from) * n);
        }
        ExactMath.expArray(dA, 0, dA, 0, (to - from) * n, ExactMath.EXP);
        for (int c = from; c < to; c++) {
            int i = rowOff + c;
            float x = u[i];
            y[i] = stateUpdate(delta[i] * x, dA, (c - from) * n, bc, bOff, cOff, state, stateOff + c * n) + d[c] * x;
        }
    }

    /** s = dA s + B (dt x) over one channel's N = L states, in place; returns sum_n s C in order. */
    private static float stateUpdate(float dtX, float[] dA, int a, float[] bc, int b, int cc, float[] state, int sc) {
        FloatVector s = FloatVector.fromArray(S, dA, a).mul(FloatVector.fromArray(S, state, sc))
                .add(FloatVector.fromArray(S, bc, b).mul(dtX));
        s.intoArray(state, sc);
        return s.mul(FloatVector.fromArray(S, bc, cc)).reduceLanes(VectorOperators.ADD);
    }

    /**
     * Channels [c0, c0 + L), all rows before the gate, state held transposed in {@code st} ([N, L]) for
     * the call. The decays exp(delta A) of {@link #DECAY_ROWS} rows at a time go through one
     * {@link ExactMath#expArray} loop first: its iterations are independent, so the core overlaps their
     * long dependency chains, which a call per row (N vectors) was too short to do.
     */
    private static void block(int c0, int channels, int n, int rows, float[] delta, float[] u, int rowOff,
                              float[] bc, int bOff, int cOff, int bcStride, float[] negA, float[] d, float[] state,
                              int stateOff, float[] y, float[] st, float[] at, float[] dA) {
        transposeIn(state, stateOff + c0 * n, n, st);
        transposeIn(negA, c0 * n, n, at);
        for (int t0 = 0; t0 < rows; t0 += DECAY_ROWS) {
            int t1 = Math.min(rows, t0 + DECAY_ROWS);
            for (int t = t0; t < t1; t++) {
                FloatVector dt = FloatVector.fromArray(S, delta, rowOff + t * channels + c0);
                for (int o = 0, a = (t - t0) * n * L; o < n * L; o += L, a += L) {
                    FloatVector.fromArray(S, at, o).mul(dt).intoArray(dA, a);
                }
            }
            ExactMath.expArray(dA, 0, dA, 0, (t1 - t0) * n * L, ExactMath.EXP);
            for (int t = t0; t < t1; t++) {
                row(n, delta, u, rowOff + t * channels + c0, bc, bOff + t * bcStride, cOff + t * bcStride, st, dA,
                        (t - t0) * n * L, d, c0, y);
            }
        }
        transposeOut(st, n, state, stateOff + c0 * n);
    }

    /**
     * One row of a block, given its decays at {@code dA[a..]} ([N, L]). Takes no vector arguments on
     * purpose: a vector passed to a method C2 did not inline is boxed on the heap.
     */
    private static void row(int n, float[] delta, float[] u, int i, float[] bc, int b, int cc, float[] st,
                            float[] dA, int a, float[] d, int c0, float[] y) {
        FloatVector dt = FloatVector.fromArray(S, delta, i);
        FloatVector x = FloatVector.fromArray(S, u, i);
        FloatVector dtX = dt.mul(x);
        FloatVector acc = FloatVector.zero(S);
        for (int k = 0, o = 0; k < n; k++, o += L) {
            FloatVector s = FloatVector.fromArray(S, dA, a + o).mul(FloatVector.fromArray(S, st, o)).add(dtX.mul(bc[b + k]));
            s.intoArray(st, o);
            acc = acc.add(s.mul(bc[cc + k]));
        }
        acc.add(FloatVector.fromArray(S, d, c0).mul(x)).intoArray(y, i);
    }

    /** [L channels, N] from {@code off} into [N, L]. */
    private static void transposeIn(float[] src, int off, int n, float[] dst) {
        for (int c = 0; c < L; c++) {
            for (int j = 0; j < n; j++) {
                dst[j * L + c] = src[off + c * n + j];
            }
        }
    }

    private static void transposeOut(float[] src, int n, float[] dst, int off) {
        for (int c = 0; c < L; c++) {
            for (int j = 0; j < n; j++) {
                dst[off + c * n + j] = src[j * L + c];
            }
        }
    }

    /** The same operations, one channel at a time, for channels past the last whole vector. */
    private static void scalarChannel(int c, int channels, int n, int rows, float[] delta, float[] u, int rowOff,
                                      float[] z, int zOff, int zStride, float[] bc, int bOff, int cOff, int bcStride,
                                      float[] negA, float dSkip, float[] state, int sc, float[] y) {
        for (int t = 0; t < rows; t++) {
            int i = rowOff + t * channels + c;
            float dt = delta[i];
            float x = u[i];
            float dtX = dt * x;
            int b = bOff + t * bcStride;
            int cc = cOff + t * bcStride;
            float acc = 0f;
            for (int j = 0; j < n; j++) {
                float dA = ExactMath.exp(negA[c * n + j] * dt);
                float s = dA * state[sc + j] + bc[b + j] * dtX;
                state[sc + j] = s;
                acc += s * bc[cc + j];
            }
            y[i] = (acc + dSkip * x) * ExactMath.silu(z[zOff + t * zStride + c]);
        }
    }
}
