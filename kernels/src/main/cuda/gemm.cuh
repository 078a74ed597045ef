// Dense layers: C[m, n] = sum_k A[m, k] * W[n, k] + bias[n]   (PyTorch Linear: W is [out, in], row-major)
//
// "NT" products with float32 accumulation. Kernels:
//   sgemm_nt_128 / sgemm_nt_64: FFMA (plain float32), shared-memory tiles of 128x128 (64x64) outputs, K in
//     steps of 8 double-buffered through registers, 8x8 (4x4) outputs per thread.
//   tf32x3_nt_128 / tf32x3_nt_64 (the default where the operands allow 16-byte copies): tensor cores
//     (mma.sync m16n8k8 TF32) with the 3xTF32 split: each operand x = big + small with big = tf32(x),
//     small = tf32(x - big), and a*b ~ big_a big_b + big_a small_b + small_a big_b. The dropped small*small
//     term and the TF32 rounding of the small parts leave ~2^-21 relative error per product (plain TF32
//     would be ~2^-11); the sums are float32 with a rounded add per 16 k's (below): as accurate as FFMA or better.
//     128x128 (64x128) outputs per block of 4 warps, K in stages of 16 through a 4-stage cp.async pipeline.
//   tf32x3_nt_64x80: the same for narrow layers (N <= 80: x_proj), 64x80 outputs per block, 32x40 per warp,
//     so no tensor-core work goes to columns past N and four blocks share an SM.
//   gemv_nt: one warp per output column, for up to 8 rows (a step of a few slots): reads each weight
//     once, coalesced, which is what bounds a small batch.
// Split K: when the tiles would not fill the GPU, blockIdx.z takes a slice of K (kChunk wide) and writes
// its partial product to partial[z] (no bias); splitk_reduce then sums the slices in a fixed order
// (deterministic, unlike atomics) and applies bias and accumulate.
// accumulate != 0 adds the result to C (C += A W^T + bias): the residual add fused into out_proj, in the
// same order as the reference (the product and bias first, then the add).
#pragma once

#include "common.cuh"

namespace sf_gemm {

template <int BM, int BN, int TM, int TN>
__device__ __forceinline__ void sgemm_nt_tile(const float* __restrict__ A, int lda,
                                              const float* __restrict__ W, int ldw,
                                              const float* __restrict__ bias,
                                              float* C, int ldc, int M, int N, int K, int accumulate,
                                              int kChunk, float* partial) {
    constexpr int BK = 8;
    constexpr int TX = BN / TN;             // threads along n
    constexpr int TY = BM / TM;             // threads along m
    constexpr int THREADS = TX * TY;
    constexpr int A_LOADS = BM * BK / THREADS;
    constexpr int W_LOADS = BN * BK / THREADS;
    constexpr int PAD = 4;                  // keeps the transposed stores free of bank conflicts
    static_assert(THREADS == 256, "tiles are laid out for 256 threads");
    static_assert(TM % 4 == 0 && TN % 4 == 0, "thread tiles are made of float4 groups");

    __shared__ __align__(16) float As[2][BK][BM + PAD];
    __shared__ __align__(16) float Ws[2][BK][BN + PAD];

    const int tid = threadIdx.x;
    const int tx = tid % TX;
    const int ty = tid / TX;
    const long long m0 = (long long)blockIdx.y * BM;
    const long long n0 = (long long)blockIdx.x * BN;
    {
        int k0 = blockIdx.z * kChunk;
        A += k0;
        W += k0;
        K = min(K - k0, kChunk);
    }

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++) {
#pragma unroll
        for (int j = 0; j < TN; j++) {
            acc[i][j] = 0.f;
        }
    }
    float ra[A_LOADS];
    float rw[W_LOADS];

    auto load = [&](int k0) {
#pragma unroll
        for (int i = 0; i < A_LOADS; i++) {
            int e = tid + i * THREADS;
            int r = e / BK;
            int kk = e % BK;
            long long m = m0 + r;
            int k = k0 + kk;
            ra[i] = (m < M && k < K) ? A[m * lda + k] : 0.f;
        }
#pragma unroll
        for (int i = 0; i < W_LOADS; i++) {
            int e = tid + i * THREADS;
            int r = e / BK;
            int kk = e % BK;
            long long n = n0 + r;
            int k = k0 + kk;
            rw[i] = (n < N && k < K) ? W[n * ldw + k] : 0.f;
        }
    };
    auto store = [&](int buf) {
#pragma unroll
        for (int i = 0; i < A_LOADS; i++) {
            int e = tid + i * THREADS;
            As[buf][e % BK][e / BK] = ra[i];
        }
#pragma unroll
        for (int i = 0; i < W_LOADS; i++) {
            int e = tid + i * THREADS;
            Ws[buf][e % BK][e / BK] = rw[i];
        }
    };

    const int tiles = (K + BK - 1) / BK;
    load(0);
    store(0);
    __syncthreads();
    for (int t = 0; t < tiles; t++) {
        const int cur = t & 1;
        if (t + 1 < tiles) {
            load((t + 1) * BK);
        }
#pragma unroll
        for (int k = 0; k < BK; k++) {
            float a[TM];
            float b[TN];
#pragma unroll
            for (int i = 0; i < TM / 4; i++) {
                float4 v = *reinterpret_cast<const float4*>(&As[cur][k][i * (TY * 4) + ty * 4]);
                a[i * 4 + 0] = v.x;
                a[i * 4 + 1] = v.y;
                a[i * 4 + 2] = v.z;
                a[i * 4 + 3] = v.w;
            }
#pragma unroll
            for (int j = 0; j < TN / 4; j++) {
                float4 v = *reinterpret_cast<const float4*>(&Ws[cur][k][j * (TX * 4) + tx * 4]);
                b[j * 4 + 0] = v.x;
                b[j * 4 + 1] = v.y;
                b[j * 4 + 2] = v.z;
                b[j * 4 + 3] = v.w;
            }
#pragma unroll
            for (int i = 0; i < TM; i++) {
#pragma unroll
                for (int j = 0; j < TN; j++) {
                    acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
                }
            }
        }
        if (t + 1 < tiles) {
            store(cur ^ 1);
        }
        __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < TM; i++) {
        long long m = m0 + (i / 4) * (TY * 4) + ty * 4 + (i % 4);
        if (m >= M) {
            continue;
        }
#pragma unroll
        for (int j = 0; j < TN; j++) {
            long long n = n0 + (j / 4) * (TX * 4) + tx * 4 + (j % 4);
            if (n < N) {
                if (partial != nullptr) {
                    partial[(long long)blockIdx.z * M * N + m * N + n] = acc[i][j];
                } else {
                    float v = acc[i][j] + (bias != nullptr ? bias[n] : 0.f);
                    float* c = C + m * ldc + n;
                    *c = accumulate ? *c + v : v;
                }
            }
        }
    }
}

// The split on the integer units instead of cvt.rna.tf32.f32 (the cvt is slower: docs/performance.md):
// adding half a TF32 ulp to the magnitude bits and clearing the 13 low bits rounds to nearest, ties away
// from zero, the same bits as the cvt for every finite input. small = x - big is exact; its rounding skips
// the clearing, because the tensor cores read a TF32 operand's top 19 bits and ignore the 13 low ones: the
// operand they see is the value the cvt would give.
__device__ __forceinline__ void split_tf32(float x, uint32_t& big, uint32_t& small) {
    big = (__float_as_uint(x) + 0x1000u) & 0xffffe000u;
    small = __float_as_uint(x - __uint_as_float(big)) + 0x1000u;
}

__device__ __forceinline__ void mma_tf32(float* c, const uint32_t* a, const uint32_t* b) {
    asm volatile(
        "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// 3xTF32 tile: BM x BN outputs per block of 4 warps (WARPS_M x 4 / WARPS_M, each BM / WARPS_M rows x BN /
// (4 / WARPS_M) columns), K in stages of 16 copied by cp.async STAGES - 1 stages ahead. Needs K, lda, ldw
// multiples of 4 and 16-byte aligned A and W.
//
// Shared tiles are plain row-major [row][16] copies of A and W. The sum over k does not care in which order
// the 16 k's of a stage go through the two m16n8k8 steps, as long as A and W use the same order; taking
// fragment k-slot t of step h from column 4t + 2h and slot t + 4 from column 4t + 2h + 1 makes every
// fragment a float4 of one row: one conflict-free 16-byte load per row and stage instead of four scalar ones.
// Each fragment value is split (big + small) once per warp and stage: an A value then feeds the warp's NT n8
// tiles, a W value its MT m16 tiles.
template <int BM, int BN, int WARPS_M>
__device__ __forceinline__ void tf32x3_tile(const float* __restrict__ A, int lda, const float* __restrict__ W, int ldw,
                                            const float* __restrict__ bias, float* C, int ldc, int M, int N, int K,
                                            int accumulate, int kChunk, float* partial) {
    constexpr int BK = 16, STAGES = 4, THREADS = 128, WARPS_N = 4 / WARPS_M;
    constexpr int WM = BM / WARPS_M, WN = BN / WARPS_N;
    constexpr int MT = WM / 16, NT = WN / 8;
    static_assert(WM % 16 == 0 && WN % 8 == 0, "warp tiles are made of m16 x n8 tiles");
    constexpr int STAGE_FLOATS = (BM + BN) * BK;
    constexpr int A_COPIES = BM * BK / 4, W_COPIES = BN * BK / 4;  // 16-byte copies per stage
    extern __shared__ __align__(16) float smem[];

    const int tid = threadIdx.x;
    const int warp = tid >> 5, lane = tid & 31;
    const int g = lane >> 2, t = lane & 3;
    const int wm = warp / WARPS_N, wn = warp % WARPS_N;
    const long long m0 = (long long)blockIdx.y * BM;
    const long long n0 = (long long)blockIdx.x * BN;
    {
        int k0 = blockIdx.z * kChunk;
        A += k0;
        W += k0;
        K = min(K - k0, kChunk);
    }

    // Rows past M or N and k's past K are zero-filled; their source address is clamped to a valid one.
    auto copy_stage = [&](int stage, int k0) {
        float* as = smem + stage * STAGE_FLOATS;
        float* ws = as + BM * BK;
#pragma unroll
        for (int i = 0; i < (A_COPIES + THREADS - 1) / THREADS; i++) {
            int e = tid + i * THREADS;
            int r = e >> 2, c = (e & 3) * 4;
            bool in = m0 + r < M && k0 + c < K;
            if (A_COPIES % THREADS == 0 || e < A_COPIES) {
                sf_cp_async16(as + r * BK + c, in ? A + (m0 + r) * lda + k0 + c : A, in);
            }
        }
#pragma unroll
        for (int i = 0; i < (W_COPIES + THREADS - 1) / THREADS; i++) {
            int e = tid + i * THREADS;
            int r = e >> 2, c = (e & 3) * 4;
            bool in = n0 + r < N && k0 + c < K;
            if (W_COPIES % THREADS == 0 || e < W_COPIES) {
                sf_cp_async16(ws + r * BK + c, in ? W + (n0 + r) * ldw + k0 + c : W, in);
            }
        }
    };

    float acc[MT][NT][4];
#pragma unroll
    for (int i = 0; i < MT; i++) {
#pragma unroll
        for (int j = 0; j < NT; j++) {
#pragma unroll
            for (int q = 0; q < 4; q++) {
                acc[i][j][q] = 0.f;
            }
        }
    }

    const int tiles = (K + BK - 1) / BK;
#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (s < tiles) {
            copy_stage(s, s * BK);
        }
        sf_cp_async_commit();
    }
    for (int tk = 0; tk < tiles; tk++) {
        sf_cp_async_wait<STAGES - 2>();
        __syncthreads();  // stage tk is visible to all; stage tk - 1 is free for the next copy
        if (tk + STAGES - 1 < tiles) {
            copy_stage((tk + STAGES - 1) % STAGES, (tk + STAGES - 1) * BK);
        }
        sf_cp_async_commit();

        const float* as = smem + (tk % STAGES) * STAGE_FLOATS;
        const float* ws = as + BM * BK;
        // W fragments of this warp's NT n8 tiles (row g of each, columns 4t..4t+3), split once.
        uint32_t wBig[NT][4], wSmall[NT][4];
#pragma unroll
        for (int j = 0; j < NT; j++) {
            float4 v = *reinterpret_cast<const float4*>(ws + (wn * WN + j * 8 + g) * BK + t * 4);
            split_tf32(v.x, wBig[j][0], wSmall[j][0]);
            split_tf32(v.y, wBig[j][1], wSmall[j][1]);
            split_tf32(v.z, wBig[j][2], wSmall[j][2]);
            split_tf32(v.w, wBig[j][3], wSmall[j][3]);
        }
#pragma unroll
        for (int i = 0; i < MT; i++) {
            const float* ar = as + (wm * WM + i * 16 + g) * BK + t * 4;
            float4 lo = *reinterpret_cast<const float4*>(ar);           // row g
            float4 hi = *reinterpret_cast<const float4*>(ar + 8 * BK);  // row g + 8
            // A fragments of both steps: a0 (g, slot t), a1 (g + 8, t), a2 (g, t + 4), a3 (g + 8, t + 4)
            uint32_t aBig[2][4], aSmall[2][4];
            split_tf32(lo.x, aBig[0][0], aSmall[0][0]);
            split_tf32(hi.x, aBig[0][1], aSmall[0][1]);
            split_tf32(lo.y, aBig[0][2], aSmall[0][2]);
            split_tf32(hi.y, aBig[0][3], aSmall[0][3]);
            split_tf32(lo.z, aBig[1][0], aSmall[1][0]);
            split_tf32(hi.z, aBig[1][1], aSmall[1][1]);
            split_tf32(lo.w, aBig[1][2], aSmall[1][2]);
            split_tf32(hi.w, aBig[1][3], aSmall[1][3]);
            // The tensor cores' float32 accumulation truncates: a long chain of mma on one accumulator drifts
            // toward zero (~1e-5 relative at K = 1536). So the stage's 16 k's are summed on a fresh
            // accumulator (small products first) and added to acc with a correctly rounded add.
#pragma unroll
            for (int j = 0; j < NT; j++) {
                // B fragments b0 (slot t, g), b1 (t + 4, g) of step h: w*[j][2h], w*[j][2h + 1]
                float part[4] = {0.f, 0.f, 0.f, 0.f};
                mma_tf32(part, aSmall[0], &wBig[j][0]);
                mma_tf32(part, aBig[0], &wSmall[j][0]);
                mma_tf32(part, aSmall[1], &wBig[j][2]);
                mma_tf32(part, aBig[1], &wSmall[j][2]);
                mma_tf32(part, aBig[0], &wBig[j][0]);
                mma_tf32(part, aBig[1], &wBig[j][2]);
#pragma unroll
                for (int q = 0; q < 4; q++) {
                    acc[i][j][q] += part[q];
                }
            }
        }
    }
    sf_cp_async_wait<0>();

#pragma unroll
    for (int i = 0; i < MT; i++) {
#pragma unroll
        for (int j = 0; j < NT; j++) {
#pragma unroll
            for (int q = 0; q < 4; q++) {
                long long m = m0 + wm * WM + i * 16 + g + (q >> 1) * 8;
                long long n = n0 + wn * WN + j * 8 + t * 2 + (q & 1);
                if (m < M && n < N) {
                    if (partial != nullptr) {
                        partial[(long long)blockIdx.z * M * N + m * N + n] = acc[i][j][q];
                    } else {
                        float v = acc[i][j][q] + (bias != nullptr ? bias[n] : 0.f);
                        float* c = C + m * ldc + n;
                        *c = accumulate ? *c + v : v;
                    }
                }
            }
        }
    }
}

}  // namespace sf_gemm

#define SF_GEMM_ARGS                                                                                          \
    const float* __restrict__ A, int lda, const float* __restrict__ W, int ldw, const float* __restrict__ bias,  \
        float *C, int ldc, int M, int N, int K, int accumulate, int kChunk, float *partial
#define SF_GEMM_PASS A, lda, W, ldw, bias, C, ldc, M, N, K, accumulate, kChunk, partial

// grid (ceil(N / BN), ceil(M / BM), splits), block 256; kChunk = K when splits == 1 (partial null)
extern "C" __global__ void __launch_bounds__(256) sgemm_nt_128(SF_GEMM_ARGS) {
    sf_gemm::sgemm_nt_tile<128, 128, 8, 8>(SF_GEMM_PASS);
}

extern "C" __global__ void __launch_bounds__(256) sgemm_nt_64(SF_GEMM_ARGS) {
    sf_gemm::sgemm_nt_tile<64, 64, 4, 4>(SF_GEMM_PASS);
}

// grid (ceil(N / BN), ceil(M / BM), splits), block 128, dynamic shared memory 4 x (BM + BN) x 16 floats;
// K, lda, ldw multiples of 4, A and W 16-byte aligned (kChunk a multiple of 16)
extern "C" __global__ void __launch_bounds__(128, 2) tf32x3_nt_128(SF_GEMM_ARGS) {
    sf_gemm::tf32x3_tile<128, 128, 2>(SF_GEMM_PASS);
}

extern "C" __global__ void __launch_bounds__(128, 2) tf32x3_nt_64(SF_GEMM_ARGS) {
    sf_gemm::tf32x3_tile<64, 128, 2>(SF_GEMM_PASS);
}

extern "C" __global__ void __launch_bounds__(128, 4) tf32x3_nt_64x80(SF_GEMM_ARGS) {
    sf_gemm::tf32x3_tile<64, 80, 2>(SF_GEMM_PASS);
}

// C[m, n] (+)= sum_z partial[z, m, n] + bias[n], z in order. grid (ceil(M * N / 256)), block 256
extern "C" __global__ void splitk_reduce(const float* __restrict__ partial, int splits, int M, int N,
                                         const float* __restrict__ bias, float* C, int ldc, int accumulate) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long total = (long long)M * N;
    if (i >= total) {
        return;
    }
    long long m = i / N;
    int n = (int)(i - m * N);
    float s = 0.f;
    for (int z = 0; z < splits; z++) {
        s += partial[z * total + i];
    }
    float v = s + (bias != nullptr ? bias[n] : 0.f);
    float* c = C + m * ldc + n;
    *c = accumulate ? *c + v : v;
}

// One warp per output column n (8 per block), M <= 8 rows. vec4 != 0 promises K % 4 == 0, lda % 4 == 0,
// ldw % 4 == 0 and 16-byte aligned A and W, so rows are read as float4.
extern "C" __global__ void __launch_bounds__(256)
gemv_nt(const float* __restrict__ A, int lda, const float* __restrict__ W, int ldw,
        const float* __restrict__ bias, float* C, int ldc, int M, int N, int K, int accumulate, int vec4) {
    const int lane = threadIdx.x & 31;
    const long long n = (long long)blockIdx.x * 8 + (threadIdx.x >> 5);
    if (n >= N) {
        return;
    }
    const float* w = W + n * ldw;
    float acc[8];
#pragma unroll
    for (int m = 0; m < 8; m++) {
        acc[m] = 0.f;
    }
    if (vec4) {
        const int k4 = K / 4;
        const float4* w4 = reinterpret_cast<const float4*>(w);
#pragma unroll 4
        for (int k = lane; k < k4; k += 32) {
            float4 wv = w4[k];
#pragma unroll
            for (int m = 0; m < 8; m++) {
                if (m < M) {
                    float4 av = reinterpret_cast<const float4*>(A + (long long)m * lda)[k];
                    acc[m] = fmaf(av.x, wv.x, acc[m]);
                    acc[m] = fmaf(av.y, wv.y, acc[m]);
                    acc[m] = fmaf(av.z, wv.z, acc[m]);
                    acc[m] = fmaf(av.w, wv.w, acc[m]);
                }
            }
        }
    } else {
#pragma unroll 4
        for (int k = lane; k < K; k += 32) {
            float wv = w[k];
#pragma unroll
            for (int m = 0; m < 8; m++) {
                if (m < M) {
                    acc[m] = fmaf(A[(long long)m * lda + k], wv, acc[m]);
                }
            }
        }
    }
#pragma unroll
    for (int m = 0; m < 8; m++) {
        acc[m] = sf_warp_sum(acc[m]);
    }
    if (lane == 0) {
        float b = bias != nullptr ? bias[n] : 0.f;
#pragma unroll
        for (int m = 0; m < 8; m++) {
            if (m < M) {
                float* c = C + (long long)m * ldc + n;
                float v = acc[m] + b;
                *c = accumulate ? *c + v : v;
            }
        }
    }
}
