package io.scanflow.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Mamba-1 selective scan on SIMD lanes: lanes = L consecutive channels, a loop over the N states, so
 * that each channel's sum over its states is a chain of vector adds, with no horizontal sums.
 *
 * <p>For that the scan keeps its own order of A and of the state ("blocked"): each whole block of L
 * channels holds its L x N floats transposed, [N, L], at the block's usual offset; channels past the last
 * whole block keep [channel, N]. {@link #blockedCopy} makes it from the portable [channels, N] once, when a
 * model loads (A) or a state is imported; {@link #toPortable} undoes it when a state is saved. Keeping the
 * order across calls is what lets a recurrent step (one row) run this form: transposing per call, or one
 * ordered horizontal sum per channel instead, cost about as much as the scan itself.
 *
 * <p>Per channel and row: {@code s = fma(exp(A dt), s, (dt x) B)}, {@code acc = fma(s_n, C_n, acc)} in
 * state order from 0, then {@code y = (acc + D x) * SiLU(z)}.
 * Channels past the last whole block run the same operations in scalar form ({@link ExactMath}'s twins are
 * bit-identical), so a result never depends on how many rows a call holds.
 */
final class Scan {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * Rows of a block whose decays exp(delta A) are computed together in one {@link ExactMath#expArray}
     * loop (32 x N x L floats: 32 KB at N = 16) in a call of many rows.
     */
    static final int DECAY_GROUP = 32;

    private Scan() {}

    /** The channels kept blocked: those before this end. */
    static int blockedEnd(int channels) {
        return channels - channels % L;
    }

    /** Floats of decay scratch a call over N states needs. */
    static int decayFloats(int n) {
        return DECAY_GROUP * n * L;
    }

    /** Channels [from, to) of all rows, gated; {@code from} is a multiple of L, {@code to} too or the end. */
    static void channels(int from, int to, int channels, int n, int rows,
                         float[] delta, float[] u, int rowOff, float[] z, int zOff, int zStride,
                         float[] bc, int bOff, int cOff, int bcStride,
                         float[] negA, float[] d, float[] state, int stateOff, float[] y, float[] dA) {
        int end = Math.min(to, blockedEnd(channels));
        if (from < end) {
            if (rows == 1) {
                for (int c0 = from; c0 < end; c0 += L) {
                    rowWithDecays(n, delta, u, rowOff + c0, bc, bOff, cOff, negA, c0 * n, state, stateOff + c0 * n, y);
                }
            } else {
                for (int c0 = from; c0 < end; c0 += L) {
                    block(c0, channels, n, rows, delta, u, rowOff, bc, bOff, cOff, bcStride, negA, state, stateOff, y, dA);
                }
            }
            // The skip term and the gate in passes of their own keep row() small enough for C2 to compile
            // every vector operation in it to SIMD (see row).
            for (int t = 0; t < rows; t++) {
                addSkip(y, u, rowOff + t * channels, d, from, end);
                VectorKernels.INSTANCE.siluGate(y, rowOff + t * channels + from, z, zOff + t * zStride + from, end - from);
            }
        }
        for (int c = Math.max(from, end); c < to; c++) {
            scalarChannel(c, channels, n, rows, delta, u, rowOff, z, zOff, zStride, bc, bOff, cOff, bcStride, negA,
                    d[c], state, stateOff + c * n, y);
        }
    }

    /**
     * {@link #row} with each decay computed where it is used: {@link ExactMath#expArray}'s operations written
     * out in the loop, so the same bits as a block's rows (the one-row-or-many test pins it) for the
     * arguments a Mamba scan has, A dt <= 0. For a
     * recurrent step this saves writing and reading back the decays, a sixth of the scan's operations. A
     * prefill keeps {@link #block}: calling this from its row loop too makes C2's code for it bimodal (some
     * JVMs compile a much slower version; docs/performance.md).
     */
    private static void rowWithDecays(int n, float[] delta, float[] u, int i, float[] bc, int b, int cc, float[] negA,
                                      int at, float[] state, int st, float[] y) {
        FloatVector dt = FloatVector.fromArray(S, delta, i);
        FloatVector x = FloatVector.fromArray(S, u, i);
        FloatVector dtX = dt.mul(x);
        FloatVector acc = FloatVector.zero(S);
        for (int k = 0, o = 0; k < n; k++, o += L) {
            // A dt <= 0 (A = -exp(A_log), dt a softplus), so expArray's upper clamp never acts: left out.
            FloatVector c = FloatVector.fromArray(S, negA, at + o).mul(dt).max(FloatVector.broadcast(S, ExactMath.MIN_ARG));
            FloatVector t = c.fma(FloatVector.broadcast(S, ExactMath.LOG2E), FloatVector.broadcast(S, ExactMath.ROUNDER));
            FloatVector kk = t.sub(FloatVector.broadcast(S, ExactMath.ROUNDER));
            FloatVector r = kk.fma(FloatVector.broadcast(S, ExactMath.NEG_LN2_HI), c);
            r = kk.fma(FloatVector.broadcast(S, ExactMath.NEG_LN2_LO), r);
            FloatVector p = FloatVector.broadcast(S, ExactMath.C5).fma(r, FloatVector.broadcast(S, ExactMath.C4));
            p = p.fma(r, FloatVector.broadcast(S, ExactMath.C3));
            p = p.fma(r, FloatVector.broadcast(S, ExactMath.C2));
            p = p.fma(r, FloatVector.broadcast(S, 1f));
            p = p.fma(r, FloatVector.broadcast(S, 1f));
            FloatVector decay = p.mul(t.reinterpretAsInts()
                    .lanewise(VectorOperators.LSHL, IntVector.broadcast(ExactMath.INTS, 23)).reinterpretAsFloats());
            FloatVector s = decay.fma(FloatVector.fromArray(S, state, st + o), dtX.mul(FloatVector.broadcast(S, bc[b + k])));
            s.intoArray(state, st + o);
            acc = s.fma(FloatVector.broadcast(S, bc[cc + k]), acc);
        }
        acc.intoArray(y, i);
    }

    /** Channels [c0, c0 + L), all rows before the gate: decays of {@link #DECAY_GROUP} rows at a time. */
    private static void block(int c0, int channels, int n, int rows, float[] delta, float[] u, int rowOff,
                              float[] bc, int bOff, int cOff, int bcStride, float[] negA, float[] state, int stateOff,
                              float[] y, float[] dA) {
        int at = c0 * n;
        for (int t0 = 0; t0 < rows; t0 += DECAY_GROUP) {
            int t1 = Math.min(rows, t0 + DECAY_GROUP);
            for (int t = t0; t < t1; t++) {
                FloatVector dt = FloatVector.fromArray(S, delta, rowOff + t * channels + c0);
                for (int o = 0, a = (t - t0) * n * L; o < n * L; o += L, a += L) {
                    FloatVector.fromArray(S, negA, at + o).mul(dt).intoArray(dA, a);
                }
            }
            ExactMath.expArray(dA, 0, dA, 0, (t1 - t0) * n * L, ExactMath.EXP);
            for (int t = t0; t < t1; t++) {
                row(n, delta, u, rowOff + t * channels + c0, bc, bOff + t * bcStride, cOff + t * bcStride, state,
                        stateOff + c0 * n, dA, (t - t0) * n * L, y);
            }
        }
    }

    /**
     * One row of the block whose blocked state starts at {@code st}, given its decays at {@code dA[a..]}
     * ([N, L]); leaves y = sum_n s C, the skip term to {@link #addSkip}. Takes no vector arguments on
     * purpose: a vector passed to a method C2 did not inline is boxed on the heap. For the same reason the
     * skip term is not added here: as the last vector operation of this method and of rowWithDecays, C2
     * sometimes leaves it to the Java fallback, which allocates a vector per call.
     */
    private static void row(int n, float[] delta, float[] u, int i, float[] bc, int b, int cc, float[] state, int st,
                            float[] dA, int a, float[] y) {
        FloatVector dt = FloatVector.fromArray(S, delta, i);
        FloatVector x = FloatVector.fromArray(S, u, i);
        FloatVector dtX = dt.mul(x);
        FloatVector acc = FloatVector.zero(S);
        for (int k = 0, o = 0; k < n; k++, o += L) {
            FloatVector s = FloatVector.fromArray(S, dA, a + o)
                    .fma(FloatVector.fromArray(S, state, st + o), dtX.mul(FloatVector.broadcast(S, bc[b + k])));
            s.intoArray(state, st + o);
            acc = s.fma(FloatVector.broadcast(S, bc[cc + k]), acc);
        }
        acc.intoArray(y, i);
    }

    /** y[off + c] += D[c] u[off + c] for c in [from, end), whole blocks: acc + D x, as the scalar channels do. */
    private static void addSkip(float[] y, float[] u, int off, float[] d, int from, int end) {
        for (int c = from; c < end; c += L) {
            FloatVector.fromArray(S, y, off + c).add(FloatVector.fromArray(S, d, c).mul(FloatVector.fromArray(S, u, off + c)))
                    .intoArray(y, off + c);
        }
    }

    /** The same operations, one channel at a time, for channels past the last whole block ([c, N] order). */
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
                float s = Math.fma(dA, state[sc + j], dtX * bc[b + j]);
                state[sc + j] = s;
                acc = Math.fma(s, bc[cc + j], acc);
            }
            y[i] = (acc + dSkip * x) * ExactMath.silu(z[zOff + t * zStride + c]);
        }
    }

    /** Copies channels x N floats from the portable [channels, N] order at {@code off} into the blocked order. */
    static void blockedCopy(float[] portable, int off, int channels, int n, float[] blocked, int blockedOff) {
        int end = blockedEnd(channels);
        for (int c0 = 0; c0 < end; c0 += L) {
            for (int c = 0; c < L; c++) {
                for (int j = 0; j < n; j++) {
                    blocked[blockedOff + c0 * n + j * L + c] = portable[off + (c0 + c) * n + j];
                }
            }
        }
        System.arraycopy(portable, off + end * n, blocked, blockedOff + end * n, (channels - end) * n);
    }

    /** The inverse of {@link #blockedCopy}. */
    static void toPortable(float[] blocked, int blockedOff, int channels, int n, float[] portable, int off) {
        int end = blockedEnd(channels);
        for (int c0 = 0; c0 < end; c0 += L) {
            for (int c = 0; c < L; c++) {
                for (int j = 0; j < n; j++) {
                    portable[off + (c0 + c) * n + j] = blocked[blockedOff + c0 * n + j * L + c];
                }
            }
        }
        System.arraycopy(blocked, blockedOff + end * n, portable, off + end * n, (channels - end) * n);
    }
}
