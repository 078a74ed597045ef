// Mamba-1 selective scan ("S6"), fused, for prefill: per token and channel d, state n
// (A2 = A * log2(e), A = -exp(A_log); delta = softplus(dt_proj(dt_low) + dt_bias), from m1_delta)
//
//   s[d, n]  = exp2(delta[d] * A2[d, n]) * s[d, n] + delta[d] * B[n] * u[d]
//   y[d]     = (sum_n s[d, n] * C[n] + D[d] * u[d]) * SiLU(z[d])
//
// One thread owns one channel and NS of its states (N <= NS: one thread per channel; larger N: TPC threads
// per channel and a shuffle sum over them), so the D skip and the gate are computed once per (token,
// channel) and each state update is 4 FP32 instructions and one MUFU ex2. A block of 128 threads walks its
// channels' tokens in tiles of TT: cp.async copies the next tile (delta, u, z of the block's channels; B and C
// of every token, zero-padded to NS states) into shared memory while the threads work on the current one, so
// no register holds a load in flight, B and C are read as float4 broadcasts, and there is one barrier per tile.
// Tokens past the request's end are zero-filled: delta = 0 leaves every state as it is (exp2(0) = 1, no
// input), so only the y store looks at the length.
//
// Time split: with few requests the channels alone cannot fill the GPU, so a request's tokens of the pass
// are cut into segments (grid.y) and the scan runs in two launches. m1_scan_sum_* runs every segment but the
// last from state 0 and writes its end state H and the sum of its deltas to `carry`; m1_scan_fwd_* then
// starts segment k from the slot state advanced over segments 0..k-1 by their summaries,
// s = exp2(A2 sum(delta)) s + H (the decays of a segment multiply to exp2 of A2 times the summed deltas),
// and produces y. The segment that holds a request's last token writes the state to the slot, so passes
// chain as before.
//
// The decay is MUFU ex2.approx.ftz (about 2 ulp; decays below 2^-126 become 0 instead of a denormal).
#pragma once

#include "common.cuh"

namespace sf_m1s {

constexpr int THREADS = 128;
constexpr int TT = 8;  // tokens per tile

__device__ __forceinline__ float ex2(float x) {
    float r;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(x));
    return r;
}

// SiLU on the MUFU (ex2 and rcp: ~2 ulp plus |x| 2^-24 relative)
__device__ __forceinline__ float silu_fast(float x) {
    return __fdividef(x, 1.f + __expf(-x));
}

// One tile of TT tokens in shared memory: the block's channels' delta, u and (full scan only) z, then B and C
// of every token, zero-padded to NS states per thread of a channel; with several threads per channel each
// thread's states start 4 floats further apart, so their float4 reads of one token hit distinct banks.
template <int NS, int TPC, bool SUMMARY>
struct Tile {
    static constexpr int CPB = THREADS / TPC;  // channels per block
    static constexpr int ARRAYS = SUMMARY ? 2 : 3;
    static constexpr int QS = TPC > 1 ? NS + 4 : NS;
    static constexpr int BCW = (SUMMARY ? 1 : 2) * TPC * QS;  // floats of B (and C) per token
    float in[ARRAYS][TT][CPB];
    float bc[TT][2][TPC][QS];
};

// This thread's share of the copies of a tile: element (float4 if vec, else float) i + k THREADS of each
// channel array, i.e. always the same column, tokens tt0 + k STEP; and of B and C (4 bytes each). The source
// pointers are those of the segment's first token and move by whole tiles.
template <int NS, int TPC, bool SUMMARY>
struct TileCopier {
    using T = Tile<NS, TPC, SUMMARY>;
    static constexpr int CPB = T::CPB;
    // B and C of a token are a divisor of the block: each thread copies one fixed state, STEP tokens apart
    static constexpr bool BC_FIXED = THREADS % T::BCW == 0;
    const float* src[T::ARRAYS];
    const float* bc;  // B / C of row row0 + t0 (+ this thread's token and state when BC_FIXED)
    int tt0, col, ttb0, w;
    bool colOk, bcOk;

    __device__ __forceinline__ TileCopier(int t0, long long row0, int c0, bool vec, const float* Delta, int lddelta,
                                          const float* U, int ldu, const float* Z, int ldz, const float* BC, int ldbc,
                                          int bOff, int cOff, int E, int N) {
        const int per = vec ? CPB / 4 : CPB;  // copies per token and array
        tt0 = threadIdx.x / per;
        col = threadIdx.x % per * (vec ? 4 : 1);
        colOk = c0 + col < E;
#pragma unroll
        for (int a = 0; a < T::ARRAYS; a++) {
            const float* base = a == 0 ? Delta : a == 1 ? U : Z;
            const int ld = a == 0 ? lddelta : a == 1 ? ldu : ldz;
            src[a] = base + (row0 + t0) * ld + c0 + col;
        }
        bc = BC + (row0 + t0) * ldbc;
        ttb0 = threadIdx.x / T::BCW;
        w = threadIdx.x % T::BCW;
        if (BC_FIXED) {
            bcOk = offset(w, bOff, cOff, N, bc, ldbc, ttb0);
        }
    }

    // B or C element w of a token: false for padding states; else bc advanced to it (token tt)
    __device__ __forceinline__ static bool offset(int w, int bOff, int cOff, int N, const float*& p, int ldbc, int tt) {
        const int isC = w / (TPC * T::QS), j = w % T::QS, n = w % (TPC * T::QS) / T::QS * NS + j;
        const bool ok = j < NS && n < N;
        p += (long long)tt * ldbc + (ok ? (isC ? cOff : bOff) + n : 0);
        return ok;
    }

    // Issues the copies of the tokens t0 + tile .. t0 + tile + TT - 1 (those before t1) into t.
    __device__ __forceinline__ void copy(T& t, int tile, int left, bool vec, int lddelta, int ldu, int ldz, int ldbc,
                                         int bOff, int cOff, int N) const {
#pragma unroll
        for (int a = 0; a < T::ARRAYS; a++) {
            const int ld = a == 0 ? lddelta : a == 1 ? ldu : ldz;
            const float* p = src[a] + (long long)tile * ld;
            if (vec) {
                constexpr int V = TT * CPB / 4, STEP = THREADS / (CPB / 4);
#pragma unroll
                for (int k = 0; k < (V + THREADS - 1) / THREADS; k++) {
                    const int tt = tt0 + k * STEP;
                    const bool ok = colOk && tt < left;
                    if (V % THREADS == 0 || tt < TT) {
                        sf_cp_async16(&t.in[a][tt][col], ok ? p + (long long)tt * ld : p, ok);
                    }
                }
            } else {
                // the fallback for unaligned rows: not unrolled, so its addresses do not take registers
                constexpr int V = TT * CPB, STEP = THREADS / CPB;
#pragma unroll 1
                for (int k = 0; k < (V + THREADS - 1) / THREADS; k++) {
                    const int tt = tt0 + k * STEP;
                    const bool ok = colOk && tt < left;
                    if (V % THREADS == 0 || tt < TT) {
                        sf_cp_async4(&t.in[a][tt][col], ok ? p + (long long)tt * ld : p, ok);
                    }
                }
            }
        }
        constexpr int V = TT * T::BCW;
        const float* p = bc + (long long)tile * ldbc;
#pragma unroll(BC_FIXED ? 8 : 1)
        for (int k = 0; k < (V + THREADS - 1) / THREADS; k++) {
            if (BC_FIXED) {
                constexpr int STEP = THREADS / T::BCW;
                const int tt = ttb0 + k * STEP;
                const bool ok = bcOk && tt < left;
                // with few states a tile's B and C take fewer copies than threads: the rest have no token
                if (V % THREADS == 0 || tt < TT) {
                    sf_cp_async4(&t.bc[tt][0][0][0] + w, ok ? p + (long long)k * STEP * ldbc : p, ok);
                }
            } else {
                const int i = threadIdx.x + k * THREADS;
                const int tt = i / T::BCW, wi = i % T::BCW;
                const float* q = p;
                const bool ok = offset(wi, bOff, cOff, N, q, ldbc, tt) && tt < left;
                if (V % THREADS == 0 || i < V) {
                    sf_cp_async4(&t.bc[tt][0][0][0] + wi, ok ? q : p, ok);
                }
            }
        }
    }
};

// SUMMARY: the segment from state 0, only H and sum(delta) out; else the full scan with y.
template <int NS, int TPC, bool SUMMARY>
__device__ __forceinline__ void scan(const float* __restrict__ U, int ldu, const float* __restrict__ Delta,
                                     int lddelta, const float* __restrict__ A2, const float* __restrict__ BC, int ldbc,
                                     int bOff, int cOff, const float* __restrict__ Dskip, const float* __restrict__ Z,
                                     int ldz, float* __restrict__ Y, int ldy, float* __restrict__ states,
                                     long long stateFloats, long long ssmOffset, const int* __restrict__ reqRow,
                                     const int* __restrict__ reqLen, const int* __restrict__ reqSlot, int E, int N,
                                     float* __restrict__ carry, int segLen) {
    using T = Tile<NS, TPC, SUMMARY>;
    __shared__ __align__(16) T tiles[2];

    const int seg = blockIdx.y;
    const int r = blockIdx.z;
    const int len = reqLen[r];
    const int t0 = seg * segLen;
    const int t1 = min(len, t0 + segLen);
    if (t0 >= t1) {
        return;  // the whole block: empty segment
    }
    const int q = threadIdx.x % TPC;
    const int cl = threadIdx.x / TPC;
    const int c0 = blockIdx.x * T::CPB;
    const int c = c0 + cl;
    const bool valid = c < E;
    const long long row0 = reqRow[r];
    const bool vec = ((E | lddelta | ldu | (SUMMARY ? 0 : ldz)) & 3) == 0 &&
                     (((uintptr_t)Delta | (uintptr_t)U | (SUMMARY ? 0 : (uintptr_t)Z)) & 15) == 0;
    const TileCopier<NS, TPC, SUMMARY> copier(t0, row0, c0, vec, Delta, lddelta, U, ldu, Z, ldz, BC, ldbc, bOff, cOff,
                                              E, N);
    auto copy = [&](int buf, int tile) {
        copier.copy(tiles[buf], tile - t0, t1 - tile, vec, lddelta, ldu, ldz, ldbc, bOff, cOff, N);
    };
    copy(0, t0);
    sf_cp_async_commit();

    float* st = sf_slot_ptr(states, reqSlot[r], stateFloats, ssmOffset) + (long long)c * N;
    // summaries: [request][segment][NS + 1][E * TPC], one per segment but the last
    const long long perThread = (long long)E * TPC;
    const long long g = (long long)c * TPC + q;
    const int sums = SUMMARY ? gridDim.y : gridDim.y - 1;
    const float* cs = carry + (long long)r * sums * (NS + 1) * perThread + g;

    float s[NS], a2[NS];
#pragma unroll
    for (int j = 0; j < NS; j++) {
        const int n = q * NS + j;
        const bool ok = valid && n < N;
        a2[j] = ok ? A2[(long long)c * N + n] : 0.f;
        s[j] = ok && !SUMMARY ? st[n] : 0.f;
    }
    if (!SUMMARY && valid && seg > 0) {
        // s over segments 0..seg-1; the next summary is loaded while this one is applied
        float h[NS + 1];
#pragma unroll
        for (int j = 0; j <= NS; j++) {
            h[j] = cs[j * perThread];
        }
        for (int k = 0; k < seg; k++) {
            float cur[NS + 1];
#pragma unroll
            for (int j = 0; j <= NS; j++) {
                cur[j] = h[j];
            }
            if (k + 1 < seg) {
                const float* next = cs + (long long)(k + 1) * (NS + 1) * perThread;
#pragma unroll
                for (int j = 0; j <= NS; j++) {
                    h[j] = next[j * perThread];
                }
            }
#pragma unroll
            for (int j = 0; j < NS; j++) {
                s[j] = fmaf(ex2(a2[j] * cur[NS]), s[j], cur[j]);
            }
        }
    }
    const float dskip = valid && !SUMMARY ? Dskip[c] : 0.f;
    float* pY = Y + row0 * ldy + c;

    float sumDelta = 0.f;
    int buf = 0;
    for (int tile = t0; tile < t1; tile += TT, buf ^= 1) {
        sf_cp_async_wait<0>();
        // this tile has landed for every thread, and every thread is done with the other buffer
        __syncthreads();
        if (tile + TT < t1) {
            copy(buf ^ 1, tile + TT);
        }
        sf_cp_async_commit();
        const T& tl = tiles[buf];
#pragma unroll
        for (int i = 0; i < TT; i++) {
            const float delta = tl.in[0][i][cl];
            const float u = tl.in[1][i][cl];
            const float du = delta * u;
            const float4* b4 = reinterpret_cast<const float4*>(&tl.bc[i][0][q][0]);
            const float4* c4 = reinterpret_cast<const float4*>(&tl.bc[i][SUMMARY ? 0 : 1][q][0]);
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
                if (q == 0 && valid && tile + i < t1) {
                    pY[(long long)(tile + i) * ldy] = (part + dskip * u) * silu_fast(tl.in[SUMMARY ? 0 : 2][i][cl]);
                }
            }
        }
    }

    if (SUMMARY) {
        if (valid) {
            float* out = const_cast<float*>(cs) + (long long)seg * (NS + 1) * perThread;
#pragma unroll
            for (int j = 0; j < NS; j++) {
                out[j * perThread] = s[j];
            }
            out[NS * perThread] = sumDelta;
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

// grid (ceil(E * TPC / 128), segments (fwd) or segments - 1 (sum), requests), block 128; N <= NS * TPC; MINB
// blocks per SM. Both kernels take the same arguments; carry: [requests][segments - 1][NS + 1][E * TPC] floats
// (unused with one segment), segLen: tokens per segment, a multiple of sf_m1s::TT (at least the longest request
// with one segment).
#define SF_M1_SCAN_PARAMS                                                                                           \
    const float* __restrict__ U, int ldu, const float* __restrict__ Delta, int lddelta, const float* __restrict__ A2, \
        const float* __restrict__ BC, int ldbc, int bOff, int cOff, const float* __restrict__ Dskip,                 \
        const float* __restrict__ Z, int ldz, float* __restrict__ Y, int ldy, float* __restrict__ states,            \
        long long stateFloats, long long ssmOffset, const int* __restrict__ reqRow, const int* __restrict__ reqLen,  \
        const int* __restrict__ reqSlot, int E, int N, float* __restrict__ carry, int segLen
#define SF_M1_SCAN_ARGS                                                                                             \
    U, ldu, Delta, lddelta, A2, BC, ldbc, bOff, cOff, Dskip, Z, ldz, Y, ldy, states, stateFloats, ssmOffset, reqRow, \
        reqLen, reqSlot, E, N, carry, segLen
#define SF_M1_SCAN(NAME_, NS_, TPC_, MINB_)                                                                         \
    extern "C" __global__ void __launch_bounds__(sf_m1s::THREADS, MINB_) m1_scan_sum_##NAME_(SF_M1_SCAN_PARAMS) {   \
        sf_m1s::scan<NS_, TPC_, true>(SF_M1_SCAN_ARGS);                                                              \
    }                                                                                                                \
    extern "C" __global__ void __launch_bounds__(sf_m1s::THREADS, MINB_) m1_scan_fwd_##NAME_(SF_M1_SCAN_PARAMS) {   \
        sf_m1s::scan<NS_, TPC_, false>(SF_M1_SCAN_ARGS);                                                             \
    }
// One thread per channel: 80 registers, 6 blocks per SM, so a pass of 64 requests x 1536 channels is one wave
SF_M1_SCAN(n4, 4, 1, 6)
SF_M1_SCAN(n8, 8, 1, 6)
SF_M1_SCAN(n16, 16, 1, 6)
SF_M1_SCAN(n32, 16, 2, 4)
SF_M1_SCAN(n64, 16, 4, 4)
SF_M1_SCAN(n128, 16, 8, 4)
