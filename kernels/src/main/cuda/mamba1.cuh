// Mamba-1 selective scan, one step: per channel d, state n (A2 = A * log2(e), A = -exp(A_log))
//
//   delta    = softplus(dt_proj(dt_low)[d] + dt_bias[d])      (m1_delta, for step and prefill)
//   s[d, n]  = exp2(delta * A2[d, n]) * s[d, n] + delta * B[n] * u[d]
//   y[d]     = (sum_n s[d, n] * C[n] + D[d] * u[d]) * SiLU(z[d])
//
// Prefill runs the same recurrence in mamba1_scan.cuh.
#pragma once

#include "common.cuh"

#define SF_M1_CPB 32   // channels per block

// delta[m, c] = softplus(sum_k X[m, k] W[c, k] + bias[c]), k < R: dt_proj with the softplus of the scans in
// its epilogue, where a pass over its output has time to spare (the scans then take delta as it is). X: the
// dt part of x_proj's output [M, R] (row stride ldx), W: dt_proj.weight [E, R]. FFMA in float32.
// A block owns 128 channels and walks row tiles of 64 (blockIdx.y, then every gridDim.y-th), k in chunks of
// up to 48 staged in shared memory: X transposed, so a thread reads its 8 rows as two float4 broadcasts, W
// as one float4 of its 4 channels (8 rows x 4 channels per thread). W stays in shared memory from tile to
// tile when it is one chunk (R <= 48), and the next chunk's X is loaded into registers while this one is
// computed, so the loads' latency hides behind the FFMAs.
// grid (ceil(E / 128), up to ceil(M / 64): two blocks per SM in all), block 256
extern "C" __global__ void __launch_bounds__(256, 2) m1_delta(const float* __restrict__ X, int ldx,
                                                              const float* __restrict__ W, int R,
                                                              const float* __restrict__ bias,
                                                              float* __restrict__ delta, int ldd, int M, int E) {
    constexpr int BM = 64, BC = 128, KC = 48, PAD = 4, THREADS = 256;
    constexpr int XPER = BM * KC / THREADS;  // X values each thread stages per chunk
    __shared__ __align__(16) float sX[KC][BM + PAD];
    __shared__ __align__(16) float sW[KC][BC + PAD];
    const int tid = threadIdx.x, tx = tid & 31, ty = tid >> 5;
    const int c0 = blockIdx.x * BC;
    const int tiles = (M + BM - 1) / BM, chunks = (R + KC - 1) / KC;
    int tile = blockIdx.y, chunk = 0;
    if (tile >= tiles) {
        return;
    }
    // this thread's X values of chunk `ch` of row tile `tl`; a warp reads consecutive k's of a row
    float xr[XPER];
    auto loadX = [&](int tl, int ch) {
#pragma unroll
        for (int j = 0; j < XPER; j++) {
            const int i = tid + j * THREADS, m = i / KC, k = i % KC;
            const long long row = (long long)tl * BM + m;
            const int kk = ch * KC + k;
            xr[j] = row < M && k < KC && kk < R ? X[row * ldx + kk] : 0.f;
        }
    };
    loadX(tile, chunk);
    const int c = c0 + tx * 4;
    float b[4];
#pragma unroll
    for (int j = 0; j < 4; j++) {
        b[j] = c + j < E ? bias[c + j] : 0.f;
    }
    const bool vec = c + 3 < E && (ldd & 3) == 0 && ((uintptr_t)delta & 15) == 0;
    float acc[8][4];
#pragma unroll
    for (int i = 0; i < 8; i++) {
#pragma unroll
        for (int j = 0; j < 4; j++) {
            acc[i][j] = 0.f;
        }
    }
    bool haveW = false;
    for (;;) {
        __syncthreads();  // every thread is done with the previous chunk's sX / sW
#pragma unroll
        for (int j = 0; j < XPER; j++) {
            const int i = tid + j * THREADS;
            sX[i % KC][i / KC] = xr[j];
        }
        if (!haveW) {
            for (int i = tid; i < BC * KC; i += THREADS) {
                const int cc = i / KC, k = i % KC, kk = chunk * KC + k;
                sW[k][cc] = c0 + cc < E && kk < R ? W[(long long)(c0 + cc) * R + kk] : 0.f;
            }
            haveW = chunks == 1;
        }
        __syncthreads();
        const int kc = min(KC, R - chunk * KC);
        const int doneTile = tile, doneChunk = chunk;
        if (++chunk == chunks) {
            chunk = 0;
            tile += gridDim.y;
        }
        if (tile < tiles) {
            loadX(tile, chunk);
        }
#pragma unroll 2
        for (int k = 0; k < kc; k++) {
            const float4 a0 = *reinterpret_cast<const float4*>(&sX[k][ty * 8]);
            const float4 a1 = *reinterpret_cast<const float4*>(&sX[k][ty * 8 + 4]);
            const float4 w = *reinterpret_cast<const float4*>(&sW[k][tx * 4]);
            const float a[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
#pragma unroll
            for (int i = 0; i < 8; i++) {
                acc[i][0] = fmaf(a[i], w.x, acc[i][0]);
                acc[i][1] = fmaf(a[i], w.y, acc[i][1]);
                acc[i][2] = fmaf(a[i], w.z, acc[i][2]);
                acc[i][3] = fmaf(a[i], w.w, acc[i][3]);
            }
        }
        if (doneChunk == chunks - 1) {
#pragma unroll
            for (int i = 0; i < 8; i++) {
                const long long m = (long long)doneTile * BM + ty * 8 + i;
                float v[4];
#pragma unroll
                for (int j = 0; j < 4; j++) {
                    v[j] = sf_softplus(acc[i][j] + b[j]);
                    acc[i][j] = 0.f;
                }
                if (m < M) {
                    float* out = delta + m * ldd + c;
                    if (vec) {
                        *reinterpret_cast<float4*>(out) = make_float4(v[0], v[1], v[2], v[3]);
                    } else {
#pragma unroll
                        for (int j = 0; j < 4; j++) {
                            if (c + j < E) {
                                out[j] = v[j];
                            }
                        }
                    }
                }
            }
        }
        if (tile >= tiles) {
            return;
        }
    }
}

// One token per slot (a batched step): row b belongs to slot slots[b]. Each channel's N states are split
// over tpc threads (4 states each, a power of two), the sum over n is a shuffle reduction inside them.
// grid (ceil(E / 32), count), block 32 * tpc
extern "C" __global__ void m1_scan_step(const float* __restrict__ U, int ldu,
                                        const float* __restrict__ Delta, int lddelta,
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
        delta = Delta[b * lddelta + c];
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
