// Mamba-1 selective scan ("S6"), fused, for prefill: per token and channel d, state n
// (A2 = A * log2(e), A = -exp(A_log))
//
//   delta    = softplus(dt[d] + dt_bias[d])
//   s[d, n]  = exp2(delta * A2[d, n]) * s[d, n] + delta * B[n] * u[d]
//   y[d]     = (sum_n s[d, n] * C[n] + D[d] * u[d]) * SiLU(z[d])
//
// One thread owns one channel and NS of its states (N <= NS: one thread per channel; larger N: TPC threads
// per channel and a shuffle sum over them), so softplus, the D skip and the gate are computed once per
// (token, channel) and each state update is 4 FP32 instructions and one MUFU ex2. A block of 128 threads
// shares its tokens: B and C of a tile of 4 tokens are staged once in shared memory (padded with zeros to
// NS states, so padding states stay 0 without masks) and read as float4 broadcasts; dt, u and z go straight
// from global memory into registers, one tile ahead of their use (coalesced along the channels).
//
// Time split: with few requests the channels alone cannot fill the GPU, so a request's tokens of the pass
// are cut into segments (grid.y) and the scan runs in two launches. m1_scan_sum_* runs each segment from
// state 0 and writes its end state H and the sum of its deltas to `carry`; m1_scan_fwd_* then starts segment
// k from the slot state advanced over segments 0..k-1 by their summaries, s = exp2(A2 sum(delta)) s + H
// (the decays of a segment multiply to exp2 of A2 times the summed deltas), and produces y. The segment
// that holds a request's last token writes the state to the slot, so passes chain as before.
//
// The decay is MUFU ex2.approx.ftz (about 2 ulp; decays below 2^-126 become 0 instead of a denormal).
#pragma once

#include "common.cuh"

namespace sf_m1s {

constexpr int THREADS = 128;

__device__ __forceinline__ float ex2(float x) {
    float r;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(x));
    return r;
}

// Per (token, channel): softplus and SiLU on the MUFU ex2 (__expf: ~2 ulp plus |x| 2^-24 relative), with log1pf
// keeping small deltas exact to float rounding.
__device__ __forceinline__ float softplus_fast(float x) {
    return x > 20.f ? x : log1pf(__expf(x));
}

__device__ __forceinline__ float silu_fast(float x) {
    return __fdividef(x, 1.f + __expf(-x));
}

// SUMMARY: the segment from state 0, only H and sum(delta) out; else the full scan with y. TT: tokens per tile.
template <int NS, int TPC, int TT, bool SUMMARY>
__device__ __forceinline__ void scan(const float* __restrict__ U, int ldu, const float* __restrict__ DT, int lddt,
                                     const float* __restrict__ dtBias, const float* __restrict__ A2,
                                     const float* __restrict__ BC, int ldbc, int bOff, int cOff,
                                     const float* __restrict__ Dskip, const float* __restrict__ Z, int ldz,
                                     float* __restrict__ Y, int ldy, float* __restrict__ states,
                                     long long stateFloats, long long ssmOffset, const int* __restrict__ reqRow,
                                     const int* __restrict__ reqLen, const int* __restrict__ reqSlot, int E, int N,
                                     float* __restrict__ carry, int segLen) {
    constexpr int NP = NS * TPC;                                   // padded states per channel
    constexpr int BCF = TT * 2 * NP;                               // B and C floats of a tile
    constexpr int BCPER = (BCF + THREADS - 1) / THREADS;
    __shared__ __align__(16) float sBC[2][TT][2][NP];

    const int seg = blockIdx.y;
    const int r = blockIdx.z;
    const int len = reqLen[r];
    const int t0 = seg * segLen;
    const int t1 = min(len, t0 + segLen);
    if (t0 >= t1) {
        return;   // the whole block: empty segment
    }
    const int q = threadIdx.x % TPC;
    const int c = (blockIdx.x * THREADS + threadIdx.x) / TPC;
    const bool valid = c < E;
    const long long row0 = reqRow[r];
    float* st = sf_slot_ptr(states, reqSlot[r], stateFloats, ssmOffset) + (long long)c * N;
    // summaries: [request][segment][NS + 1][E * TPC]
    const long long perThread = (long long)E * TPC;
    const long long g = (long long)c * TPC + q;

    float s[NS], a2[NS];
#pragma unroll
    for (int j = 0; j < NS; j++) {
        const int n = q * NS + j;
        const bool ok = valid && n < N;
        a2[j] = ok ? A2[(long long)c * N + n] : 0.f;
        s[j] = ok && !SUMMARY ? st[n] : 0.f;
    }
    if (!SUMMARY && valid) {
        for (int k = 0; k < seg; k++) {
            const float* cs = carry + ((long long)r * gridDim.y + k) * (NS + 1) * perThread + g;
            const float sumDelta = cs[NS * perThread];
#pragma unroll
            for (int j = 0; j < NS; j++) {
                s[j] = fmaf(ex2(a2[j] * sumDelta), s[j], cs[j * perThread]);
            }
        }
    }
    const float bias = valid ? dtBias[c] : 0.f;
    const float dskip = valid && !SUMMARY ? Dskip[c] : 0.f;
    const float* pDT = DT + row0 * lddt + c;
    const float* pU = U + row0 * ldu + c;
    const float* pZ = Z + row0 * ldz + c;
    const float* pBC = BC + row0 * ldbc;

    float rDT[TT], rU[TT], rZ[TT], rBC[BCPER];
    auto load = [&](int tile) {
#pragma unroll
        for (int i = 0; i < TT; i++) {
            const bool ok = valid && tile + i < t1;
            const long long t = tile + i;
            rDT[i] = ok ? pDT[t * lddt] : 0.f;
            rU[i] = ok ? pU[t * ldu] : 0.f;
            if (!SUMMARY) {
                rZ[i] = ok ? pZ[t * ldz] : 0.f;
            }
        }
#pragma unroll
        for (int i = 0; i < BCPER; i++) {
            const int idx = threadIdx.x + i * THREADS;
            const int tt = idx / (2 * NP);
            const int isC = (idx / NP) & 1;
            const int n = idx % NP;
            const bool ok = idx < BCF && tile + tt < t1 && n < N && !(SUMMARY && isC);
            rBC[i] = ok ? pBC[(long long)(tile + tt) * ldbc + (isC ? cOff : bOff) + n] : 0.f;
        }
    };

    float sumDelta = 0.f;
    int buf = 0;
    load(t0);
    for (int tile = t0; tile < t1; tile += TT, buf ^= 1) {
#pragma unroll
        for (int i = 0; i < BCPER; i++) {
            const int idx = threadIdx.x + i * THREADS;
            if (idx < BCF) {
                (&sBC[buf][0][0][0])[idx] = rBC[i];
            }
        }
        // one barrier per tile: buffer buf was last read two tiles ago, before the previous barrier
        __syncthreads();
        float cDT[TT], cU[TT], cZ[TT];
#pragma unroll
        for (int i = 0; i < TT; i++) {
            cDT[i] = rDT[i];
            cU[i] = rU[i];
            cZ[i] = SUMMARY ? 0.f : rZ[i];
        }
        if (tile + TT < t1) {
            load(tile + TT);
        }
        const int tl = min(TT, t1 - tile);
#pragma unroll
        for (int i = 0; i < TT; i++) {
            if (i < tl) {
                const float delta = softplus_fast(cDT[i] + bias);
                const float du = delta * cU[i];
                const float4* b4 = reinterpret_cast<const float4*>(&sBC[buf][i][0][q * NS]);
                const float4* c4 = reinterpret_cast<const float4*>(&sBC[buf][i][1][q * NS]);
                float p0 = 0.f, p1 = 0.f, p2 = 0.f, p3 = 0.f;
#pragma unroll
                for (int j4 = 0; j4 < NS / 4; j4++) {
                    const float4 b = b4[j4];
                    float* sj = s + 4 * j4;
                    const float* aj = a2 + 4 * j4;
                    sj[0] = fmaf(ex2(delta * aj[0]), sj[0], du * b.x);
                    sj[1] = fmaf(ex2(delta * aj[1]), sj[1], du * b.y);
                    sj[2] = fmaf(ex2(delta * aj[2]), sj[2], du * b.z);
                    sj[3] = fmaf(ex2(delta * aj[3]), sj[3], du * b.w);
                    if (!SUMMARY) {
                        const float4 cv = c4[j4];
                        p0 = fmaf(sj[0], cv.x, p0);
                        p1 = fmaf(sj[1], cv.y, p1);
                        p2 = fmaf(sj[2], cv.z, p2);
                        p3 = fmaf(sj[3], cv.w, p3);
                    }
                }
                if (SUMMARY) {
                    sumDelta += delta;
                } else {
                    float part = (p0 + p1) + (p2 + p3);
#pragma unroll
                    for (int o = TPC >> 1; o > 0; o >>= 1) {
                        part += __shfl_xor_sync(0xffffffffu, part, o);
                    }
                    if (q == 0 && valid) {
                        Y[(row0 + tile + i) * ldy + c] = (part + dskip * cU[i]) * silu_fast(cZ[i]);
                    }
                }
            }
        }
    }

    if (SUMMARY) {
        if (valid) {
            float* cs = carry + ((long long)r * gridDim.y + seg) * (NS + 1) * perThread + g;
#pragma unroll
            for (int j = 0; j < NS; j++) {
                cs[j * perThread] = s[j];
            }
            cs[NS * perThread] = sumDelta;
        }
    } else if (t1 == len) {
#pragma unroll
        for (int j = 0; j < NS; j++) {
            const int n = q * NS + j;
            if (valid && n < N) {
                st[n] = s[j];
            }
        }
    }
}

}  // namespace sf_m1s

// grid (ceil(E * TPC / 128), segments, requests), block 128; N <= NS * TPC; TT tokens per tile; MINB blocks per SM. Both kernels take the same
// arguments; carry: [requests][segments][NS + 1][E * TPC] floats (unused with one segment), segLen: tokens
// per segment, a multiple of TT (at least the longest request with one segment).
#define SF_M1_SCAN_PARAMS                                                                                         \
    const float* __restrict__ U, int ldu, const float* __restrict__ DT, int lddt, const float* __restrict__ dtBias, \
        const float* __restrict__ A2, const float* __restrict__ BC, int ldbc, int bOff, int cOff,                  \
        const float* __restrict__ Dskip, const float* __restrict__ Z, int ldz, float* __restrict__ Y, int ldy,     \
        float* __restrict__ states, long long stateFloats, long long ssmOffset, const int* __restrict__ reqRow,    \
        const int* __restrict__ reqLen, const int* __restrict__ reqSlot, int E, int N, float* __restrict__ carry, \
        int segLen
#define SF_M1_SCAN_ARGS                                                                                           \
    U, ldu, DT, lddt, dtBias, A2, BC, ldbc, bOff, cOff, Dskip, Z, ldz, Y, ldy, states, stateFloats, ssmOffset, reqRow, \
        reqLen, reqSlot, E, N, carry, segLen
#define SF_M1_SCAN(NAME_, NS_, TPC_, TT_, MINB_)                                                                  \
    extern "C" __global__ void __launch_bounds__(sf_m1s::THREADS, MINB_) m1_scan_sum_##NAME_(SF_M1_SCAN_PARAMS) { \
        sf_m1s::scan<NS_, TPC_, TT_, true>(SF_M1_SCAN_ARGS);                                                       \
    }                                                                                                              \
    extern "C" __global__ void __launch_bounds__(sf_m1s::THREADS, MINB_) m1_scan_fwd_##NAME_(SF_M1_SCAN_PARAMS) { \
        sf_m1s::scan<NS_, TPC_, TT_, false>(SF_M1_SCAN_ARGS);                                                      \
    }
// One thread per channel: 80 registers, 6 blocks per SM, so a pass of 64 requests x 1536 channels is one wave
SF_M1_SCAN(n4, 4, 1, 4, 6)
SF_M1_SCAN(n8, 8, 1, 4, 6)
SF_M1_SCAN(n16, 16, 1, 4, 6)
SF_M1_SCAN(n32, 16, 2, 4, 4)
SF_M1_SCAN(n64, 16, 4, 4, 4)
SF_M1_SCAN(n128, 16, 8, 4, 4)
