// Mamba-1 selective scan ("S6"), fused: per token and channel d, state n (A2 = A * log2(e), A = -exp(A_log))
//
//   delta    = softplus(dt[d] + dt_bias[d])
//   s[d, n]  = exp2(delta * A2[d, n]) * s[d, n] + delta * B[n] * u[d]
//   y[d]     = (sum_n s[d, n] * C[n] + D[d] * u[d]) * SiLU(z[d])
//
// Discretization, the scan, the C contraction, the D skip and the gate happen in one kernel; the state
// lives in registers for the whole pass and is read from / written to the slot once.
//
// Thread layout: a block owns SF_M1_CPB = 32 channels of one request; each channel is split over TPC
// threads (a power of two, ceil(N / 4) rounded up; one entry point per TPC), each holding 4 states; the
// per-channel sum over n is a shuffle reduction inside the TPC lanes. Tokens go in tiles of TT (32, fewer
// for TPC < 4): a tile's delta, delta*u, u, SiLU(z) (per channel) and B, C (per token) are staged in
// shared memory by the whole block with coalesced loads, each transcendental once, then every thread
// walks the tile's tokens; the next tile's loads are issued before that walk (software pipelining).
// A pass of up to a chunk of tokens (2048 by default) runs in one launch; the engine carries the state
// across passes through the slot, so any chunking gives the same result up to float rounding.
#pragma once

#include "common.cuh"

#define SF_M1_CPB 32

namespace sf_m1 {

// One pass of the fused scan for the requests of a prefill pass. TPC threads per channel (4 states each).
// Tiles of TT tokens are software-pipelined: while the block walks tile t out of shared memory, the
// global loads of tile t+1 are already in flight in registers.
template <int TPC>
__device__ __forceinline__ void scan_fwd(const float* __restrict__ U, int ldu,
                                         const float* __restrict__ DT, int lddt,
                                         const float* __restrict__ dtBias,
                                         const float* __restrict__ A2,
                                         const float* __restrict__ BC, int ldbc, int bOff, int cOff,
                                         const float* __restrict__ Dskip,
                                         const float* __restrict__ Z, int ldz,
                                         float* __restrict__ Y, int ldy,
                                         float* __restrict__ states, long long stateFloats, long long ssmOffset,
                                         const int* __restrict__ reqRow, const int* __restrict__ reqLen,
                                         const int* __restrict__ reqSlot, int E, int N) {
    constexpr int CPB = SF_M1_CPB;
    constexpr int THREADS = CPB * TPC;
    constexpr int TT = 8 * TPC < 32 ? 8 * TPC : 32;       // tokens per tile
    constexpr int PER = TT / TPC;                           // (token, channel) elements staged per thread
    constexpr int NMAX = 4 * TPC;
    constexpr int BCPER = (TT * NMAX + THREADS - 1) / THREADS;  // B (and C) elements staged per thread
    __shared__ float sDelta[TT][CPB];
    __shared__ float sDU[TT][CPB];
    __shared__ float sU[TT][CPB];
    __shared__ float sG[TT][CPB];
    __shared__ __align__(16) float sB[TT * NMAX];
    __shared__ __align__(16) float sC[TT * NMAX];

    const int q = threadIdx.x % TPC;
    const int cc = threadIdx.x / TPC;
    const int c0 = blockIdx.x * CPB;
    const int c = c0 + cc;
    const bool valid = c < E;
    const int r = blockIdx.y;
    const long long row0 = reqRow[r];
    const int len = reqLen[r];
    float* st = sf_slot_ptr(states, reqSlot[r], stateFloats, ssmOffset) + (long long)c * N;

    // The channel this thread stages is fixed: element i is token (threadIdx.x / CPB + i * TPC), channel lane.
    const int lane = threadIdx.x % CPB;
    const int ch = c0 + lane;
    const bool chValid = ch < E;
    const int tt0 = threadIdx.x / CPB;
    const float bias = chValid ? dtBias[ch] : 0.f;

    float s[4], a2[4];
#pragma unroll
    for (int j = 0; j < 4; j++) {
        int n = q * 4 + j;
        bool ok = valid && n < N;
        s[j] = ok ? st[n] : 0.f;
        a2[j] = ok ? A2[(long long)c * N + n] : 0.f;
    }
    const float dskip = valid ? Dskip[c] : 0.f;

    float rDT[PER], rU[PER], rZ[PER], rB[BCPER], rC[BCPER];
    auto load = [&](int t0) {
        int tl = min(TT, len - t0);
#pragma unroll
        for (int i = 0; i < PER; i++) {
            int tt = tt0 + i * TPC;
            bool ok = chValid && tt < tl;
            long long row = row0 + t0 + tt;
            rDT[i] = ok ? DT[row * lddt + ch] : 0.f;
            rU[i] = ok ? U[row * ldu + ch] : 0.f;
            rZ[i] = ok ? Z[row * ldz + ch] : 0.f;
        }
#pragma unroll
        for (int i = 0; i < BCPER; i++) {
            int idx = threadIdx.x + i * THREADS;
            int tt = idx / N;
            int n = idx - tt * N;
            bool ok = tt < tl && idx < TT * N;
            long long row = row0 + t0 + tt;
            rB[i] = ok ? BC[row * ldbc + bOff + n] : 0.f;
            rC[i] = ok ? BC[row * ldbc + cOff + n] : 0.f;
        }
    };

    if (len > 0) {
        load(0);
    }
    for (int t0 = 0; t0 < len; t0 += TT) {
        const int tl = min(TT, len - t0);
#pragma unroll
        for (int i = 0; i < PER; i++) {
            int tt = tt0 + i * TPC;
            float delta = sf_softplus(rDT[i] + bias);   // padding (beyond tl or E) is staged but never read
            sDelta[tt][lane] = delta;
            sDU[tt][lane] = delta * rU[i];
            sU[tt][lane] = rU[i];
            sG[tt][lane] = sf_silu(rZ[i]);
        }
#pragma unroll
        for (int i = 0; i < BCPER; i++) {
            int idx = threadIdx.x + i * THREADS;
            if (idx < TT * N) {
                sB[idx] = rB[i];
                sC[idx] = rC[i];
            }
        }
        __syncthreads();
        if (t0 + TT < len) {
            load(t0 + TT);
        }
#pragma unroll 8
        for (int tt = 0; tt < tl; tt++) {
            const float delta = sDelta[tt][cc];
            const float du = sDU[tt][cc];
            const float* b = sB + tt * N;
            const float* cv = sC + tt * N;
            float part = 0.f;
#pragma unroll
            for (int j = 0; j < 4; j++) {
                int n = q * 4 + j;
                if (n < N) {
                    float dA = exp2f(delta * a2[j]);
                    s[j] = fmaf(dA, s[j], du * b[n]);
                    part = fmaf(s[j], cv[n], part);
                }
            }
#pragma unroll
            for (int o = TPC >> 1; o > 0; o >>= 1) {
                part += __shfl_xor_sync(0xffffffffu, part, o);
            }
            if (q == 0 && valid) {
                Y[(row0 + t0 + tt) * ldy + c] = (part + dskip * sU[tt][cc]) * sG[tt][cc];
            }
        }
        __syncthreads();
    }

#pragma unroll
    for (int j = 0; j < 4; j++) {
        int n = q * 4 + j;
        if (valid && n < N) {
            st[n] = s[j];
        }
    }
}

}  // namespace sf_m1

// grid (ceil(E / 32), requests), block 32 * TPC; one entry point per TPC (threads per channel, N <= 4 * TPC)
#define SF_M1_SCAN_FWD(TPC_)                                                                                    \
    extern "C" __global__ void __launch_bounds__(32 * TPC_)                                                     \
    m1_scan_fwd_t##TPC_(const float* __restrict__ U, int ldu, const float* __restrict__ DT, int lddt,         \
                        const float* __restrict__ dtBias, const float* __restrict__ A2,                         \
                        const float* __restrict__ BC, int ldbc, int bOff, int cOff,                             \
                        const float* __restrict__ Dskip, const float* __restrict__ Z, int ldz,                  \
                        float* __restrict__ Y, int ldy, float* __restrict__ states, long long stateFloats,      \
                        long long ssmOffset, const int* __restrict__ reqRow, const int* __restrict__ reqLen,    \
                        const int* __restrict__ reqSlot, int E, int N) {                                        \
        sf_m1::scan_fwd<TPC_>(U, ldu, DT, lddt, dtBias, A2, BC, ldbc, bOff, cOff, Dskip, Z, ldz, Y, ldy,     \
                              states, stateFloats, ssmOffset, reqRow, reqLen, reqSlot, E, N);                   \
    }
SF_M1_SCAN_FWD(1)
SF_M1_SCAN_FWD(2)
SF_M1_SCAN_FWD(4)
SF_M1_SCAN_FWD(8)
SF_M1_SCAN_FWD(16)
SF_M1_SCAN_FWD(32)

// The same recurrence for one token per slot (a batched step): row b belongs to slot slots[b].
// grid (ceil(E / 32), count), block 32 * tpc
extern "C" __global__ void m1_scan_step(const float* __restrict__ U, int ldu,
                                        const float* __restrict__ DT, int lddt,
                                        const float* __restrict__ dtBias,
                                        const float* __restrict__ A2,
                                        const float* __restrict__ BC, int ldbc, int bOff, int cOff,
                                        const float* __restrict__ Dskip,
                                        const float* __restrict__ Z, int ldz,
                                        float* __restrict__ Y, int ldy,
                                        float* __restrict__ states, long long stateFloats, long long ssmOffset,
                                        const int* __restrict__ slots, int E, int N, int tpc) {
    const int q = threadIdx.x % tpc;
    const int c = blockIdx.x * SF_M1_CPB + threadIdx.x / tpc;
    const bool valid = c < E;
    const long long b = blockIdx.y;
    float delta = 0.f, u = 0.f;
    if (valid) {
        delta = sf_softplus(DT[b * lddt + c] + dtBias[c]);
        u = U[b * ldu + c];
    }
    const float du = delta * u;
    float* st = sf_slot_ptr(states, slots[b], stateFloats, ssmOffset) + (long long)c * N;
    const float* bv = BC + b * ldbc + bOff;
    const float* cv = BC + b * ldbc + cOff;
    float part = 0.f;
#pragma unroll
    for (int j = 0; j < 4; j++) {
        int n = q * 4 + j;
        if (valid && n < N) {
            float dA = exp2f(delta * A2[(long long)c * N + n]);
            float s = fmaf(dA, st[n], du * bv[n]);
            st[n] = s;
            part = fmaf(s, cv[n], part);
        }
    }
    for (int o = tpc >> 1; o > 0; o >>= 1) {
        part += __shfl_xor_sync(0xffffffffu, part, o);
    }
    if (q == 0 && valid) {
        Y[b * ldy + c] = (part + Dskip[c] * u) * sf_silu(Z[b * ldz + c]);
    }
}
