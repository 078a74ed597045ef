// Mamba-1 fused selective scan, time-parallel inside a chunk (the same math as mamba1.cuh's m1_scan_fwd):
//
//   delta    = softplus(dt[d] + dt_bias[d])
//   s[d, n]  = exp2(delta * A2[d, n]) * s[d, n] + delta * B[n] * u[d]
//   y[d]     = (sum_n s[d, n] * C[n] + D[d] * u[d]) * SiLU(z[d])
//
// For one state element the step h -> a h + b is an affine map, and maps compose associatively:
// (a2, b2) after (a1, b1) = (a2 a1, a2 b1 + b2). So a stretch of tokens can be summarised by one pair and
// the scan over time done in parallel, as a prefix scan of these pairs.
//
// Layout: a block owns CG channels of one request (one warp per channel) and walks the request's tokens of
// this pass in segments of SEG = 32 x ITEMS tokens; lane l of a warp owns the ITEMS consecutive tokens
// [l ITEMS, (l + 1) ITEMS) of the segment. Per state n, each lane computes its tokens' exp2(delta A2[n])
// and delta u B[n] once, scans them locally (the running products and the local states from 0), the warp
// combines the 32 lanes' pairs with a shuffle scan (Kogge-Stone, 5 steps), each lane applies the incoming
// state (the carried state composed with the lanes before it) to its local states and adds h C[n] into its
// tokens' outputs. The state after the segment (lane 31's last token) is carried to the next segment in
// shared memory, and to the slot at the end of the pass.
//
// Memory: dt, u, z of the block's channels and B, C of the segment's tokens are copied into shared memory
// with cp.async (coalesced along the channels of each token row), one segment ahead (double-buffered), in
// a transposed layout [channel or state][token] padded so each lane's float4 reads of its tokens are
// bank-conflict free; y goes through shared memory too, written back row by row. Each (token, channel)
// transcendental (softplus, SiLU) is computed once, by the lane that owns the token.
#pragma once

#include "common.cuh"

namespace sf_m1c {

constexpr int ITEMS = 8;                 // tokens per lane
constexpr int SEG = 32 * ITEMS;          // tokens per segment
constexpr int RS = SEG + SEG / 8 + 4;    // shared row stride (floats): 4 floats of padding per 32 tokens, + 4

__device__ __forceinline__ int pad(int t) {
    return t + ((t >> 5) << 2);
}

// 4-byte asynchronous copy global -> shared; ok == false fills zero (nothing is read).
__device__ __forceinline__ void cp4(float* dst, const float* src, bool ok) {
    unsigned d = (unsigned)__cvta_generic_to_shared(dst);
    int n = ok ? 4 : 0;
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;" ::"r"(d), "l"(src), "r"(n) : "memory");
}

__device__ __forceinline__ void cp_commit() {
    asm volatile("cp.async.commit_group;" ::: "memory");
}

template <int N_>
__device__ __forceinline__ void cp_wait() {
    asm volatile("cp.async.wait_group %0;" ::"n"(N_) : "memory");
}

// Shared floats of one launch: two input buffers (dt, u, z rows of CG channels; B, C rows of N states),
// the y rows, the carried states and A2 of the block's channels.
__host__ __device__ constexpr long long shared_floats(int cg, int n) {
    return 2LL * (3 * cg + 2 * n) * RS + (long long)cg * RS + 2LL * cg * n;
}

// 2^x: exp2f (2 ulp, denormal results kept), or the bare MUFU ex2.approx.ftz (about 2 ulp, denormal
// results flushed to zero: decays below 2^-126 are then exactly 0 instead of a denormal).
template <bool FAST>
__device__ __forceinline__ float pow2(float x) {
    if (FAST) {
        float r;
        asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(x));
        return r;
    }
    return exp2f(x);
}

template <int CG, bool FAST>
__device__ __forceinline__ void scan_chunked(const float* __restrict__ U, int ldu,
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
    constexpr int THREADS = 32 * CG;
    extern __shared__ __align__(16) float smem[];
    const int bufFloats = (3 * CG + 2 * N) * RS;
    float* sY = smem + 2 * bufFloats;
    float* sS = sY + CG * RS;
    float* sA = sS + CG * N;

    const int w = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const int c0 = blockIdx.x * CG;
    const int c = c0 + w;
    const bool valid = c < E;
    const int r = blockIdx.y;
    const long long row0 = reqRow[r];
    const int len = reqLen[r];
    if (len <= 0) {
        return;
    }
    float* st = sf_slot_ptr(states, reqSlot[r], stateFloats, ssmOffset) + (long long)c * N;
    for (int n = lane; n < N; n += 32) {
        sS[w * N + n] = valid ? st[n] : 0.f;
        sA[w * N + n] = valid ? A2[(long long)c * N + n] : 0.f;
    }
    const float bias = valid ? dtBias[c] : 0.f;
    const float dskip = valid ? Dskip[c] : 0.f;

    auto load = [&](int t0, float* buf) {
        const int tl = min(SEG, len - t0);
        float* sDT = buf;
        float* sU = buf + CG * RS;
        float* sZ = buf + 2 * CG * RS;
        float* sB = buf + 3 * CG * RS;
        float* sC = sB + N * RS;
#pragma unroll
        for (int k = 0; k < SEG * CG / THREADS; k++) {
            int idx = threadIdx.x + k * THREADS;
            int t = idx / CG;
            int ch = idx % CG;
            bool ok = t < tl && c0 + ch < E;
            long long row = row0 + t0 + t;
            int o = ch * RS + pad(t);
            cp4(sDT + o, ok ? DT + row * lddt + c0 + ch : DT, ok);
            cp4(sU + o, ok ? U + row * ldu + c0 + ch : U, ok);
            cp4(sZ + o, ok ? Z + row * ldz + c0 + ch : Z, ok);
        }
        for (int idx = threadIdx.x; idx < SEG * N; idx += THREADS) {
            int t = idx / N;
            int n = idx - t * N;
            bool ok = t < tl;
            long long row = row0 + t0 + t;
            int o = n * RS + pad(t);
            cp4(sB + o, ok ? BC + row * ldbc + bOff + n : BC, ok);
            cp4(sC + o, ok ? BC + row * ldbc + cOff + n : BC, ok);
        }
        cp_commit();
    };

    load(0, smem);
    const int segs = (len + SEG - 1) / SEG;
    const int base = pad(lane * ITEMS);   // this lane's first token in a padded row
    for (int sg = 0; sg < segs; sg++) {
        const int t0 = sg * SEG;
        const int tl = min(SEG, len - t0);
        float* buf = smem + (sg & 1) * bufFloats;
        if (sg + 1 < segs) {
            load(t0 + SEG, smem + ((sg + 1) & 1) * bufFloats);
            cp_wait<1>();
        } else {
            cp_wait<0>();
        }
        __syncthreads();

        const float* sDT = buf;
        const float* sU = buf + CG * RS;
        const float* sZ = buf + 2 * CG * RS;
        const float* sB = buf + 3 * CG * RS;
        const float* sC = sB + N * RS;
        float dl[ITEMS], du[ITEMS], y[ITEMS];
#pragma unroll
        for (int i = 0; i < ITEMS; i += 4) {
            float4 d4 = *reinterpret_cast<const float4*>(sDT + w * RS + base + i);
            float4 u4 = *reinterpret_cast<const float4*>(sU + w * RS + base + i);
            float dv[4] = {d4.x, d4.y, d4.z, d4.w};
            float uv[4] = {u4.x, u4.y, u4.z, u4.w};
#pragma unroll
            for (int j = 0; j < 4; j++) {
                bool ok = lane * ITEMS + i + j < tl;   // padding tokens: delta 0, the identity step
                float delta = ok ? sf_softplus(dv[j] + bias) : 0.f;
                dl[i + j] = delta;
                du[i + j] = delta * uv[j];
                y[i + j] = 0.f;
            }
        }

#pragma unroll 2
        for (int n = 0; n < N; n++) {
            const float a = sA[w * N + n];
            const float s = sS[w * N + n];
            float p[ITEMS], h[ITEMS], cv[ITEMS];
#pragma unroll
            for (int i = 0; i < ITEMS; i += 4) {
                float4 b4 = *reinterpret_cast<const float4*>(sB + n * RS + base + i);
                float4 c4 = *reinterpret_cast<const float4*>(sC + n * RS + base + i);
                h[i] = du[i] * b4.x;
                h[i + 1] = du[i + 1] * b4.y;
                h[i + 2] = du[i + 2] * b4.z;
                h[i + 3] = du[i + 3] * b4.w;
                cv[i] = c4.x;
                cv[i + 1] = c4.y;
                cv[i + 2] = c4.z;
                cv[i + 3] = c4.w;
            }
#pragma unroll
            for (int i = 0; i < ITEMS; i++) {
                p[i] = pow2<FAST>(dl[i] * a);
            }
            // local scan from state 0: h[i] = state after token i, p[i] = product of the decays up to i
#pragma unroll
            for (int i = 1; i < ITEMS; i++) {
                h[i] = fmaf(p[i], h[i - 1], h[i]);
                p[i] *= p[i - 1];
            }
            // warp scan of the lanes' (P, H) pairs: inclusive, then shifted by one lane
            float P = p[ITEMS - 1], H = h[ITEMS - 1];
#pragma unroll
            for (int o = 1; o < 32; o <<= 1) {
                float Pp = __shfl_up_sync(0xffffffffu, P, o);
                float Hp = __shfl_up_sync(0xffffffffu, H, o);
                if (lane >= o) {
                    H = fmaf(P, Hp, H);
                    P *= Pp;
                }
            }
            float Pe = __shfl_up_sync(0xffffffffu, P, 1);
            float He = __shfl_up_sync(0xffffffffu, H, 1);
            if (lane == 0) {
                Pe = 1.f;
                He = 0.f;
            }
            const float hin = fmaf(Pe, s, He);
            float last = 0.f;
#pragma unroll
            for (int i = 0; i < ITEMS; i++) {
                float hv = fmaf(p[i], hin, h[i]);
                y[i] = fmaf(hv, cv[i], y[i]);
                last = hv;
            }
            last = __shfl_sync(0xffffffffu, last, 31);
            if (lane == 0) {
                sS[w * N + n] = last;
            }
        }

#pragma unroll
        for (int i = 0; i < ITEMS; i += 4) {
            float4 u4 = *reinterpret_cast<const float4*>(sU + w * RS + base + i);
            float4 z4 = *reinterpret_cast<const float4*>(sZ + w * RS + base + i);
            float4 o;
            o.x = (y[i] + dskip * u4.x) * sf_silu(z4.x);
            o.y = (y[i + 1] + dskip * u4.y) * sf_silu(z4.y);
            o.z = (y[i + 2] + dskip * u4.z) * sf_silu(z4.z);
            o.w = (y[i + 3] + dskip * u4.w) * sf_silu(z4.w);
            *reinterpret_cast<float4*>(sY + w * RS + base + i) = o;
        }
        __syncthreads();
#pragma unroll
        for (int k = 0; k < SEG * CG / THREADS; k++) {
            int idx = threadIdx.x + k * THREADS;
            int t = idx / CG;
            int ch = idx % CG;
            if (t < tl && c0 + ch < E) {
                Y[(row0 + t0 + t) * ldy + c0 + ch] = sY[ch * RS + pad(t)];
            }
        }
    }
    __syncwarp();
    if (valid) {
        for (int n = lane; n < N; n += 32) {
            st[n] = sS[w * N + n];
        }
    }
}

}  // namespace sf_m1c

// grid (ceil(E / CG), requests), block 32 * CG, dynamic shared memory 4 * sf_m1c::shared_floats(CG, N) bytes
#define SF_M1_SCAN_CHUNKED(NAME_, CG_, FAST_)                                                                   \
    extern "C" __global__ void __launch_bounds__(32 * CG_)                                                      \
    NAME_(const float* __restrict__ U, int ldu, const float* __restrict__ DT, int lddt,      \
                           const float* __restrict__ dtBias, const float* __restrict__ A2,                      \
                           const float* __restrict__ BC, int ldbc, int bOff, int cOff,                          \
                           const float* __restrict__ Dskip, const float* __restrict__ Z, int ldz,               \
                           float* __restrict__ Y, int ldy, float* __restrict__ states, long long stateFloats,   \
                           long long ssmOffset, const int* __restrict__ reqRow, const int* __restrict__ reqLen, \
                           const int* __restrict__ reqSlot, int E, int N) {                                     \
        sf_m1c::scan_chunked<CG_, FAST_>(U, ldu, DT, lddt, dtBias, A2, BC, ldbc, bOff, cOff, Dskip, Z, ldz, Y, ldy,  \
                                  states, stateFloats, ssmOffset, reqRow, reqLen, reqSlot, E, N);               \
    }
SF_M1_SCAN_CHUNKED(m1_scan_chunked_c4, 4, false)
SF_M1_SCAN_CHUNKED(m1_scan_chunked_c8, 8, false)
SF_M1_SCAN_CHUNKED(m1_scan_chunked_c16, 16, false)
SF_M1_SCAN_CHUNKED(m1_scan_chunked_c16x, 16, true)
