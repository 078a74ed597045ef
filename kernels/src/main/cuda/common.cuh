// Shared helpers for the ScanFlow kernels. Every kernel is float32 with float32 or float64 accumulation;
// the math functions are the accurate CUDA ones (no fast-math), except exp2f on pre-scaled exponents,
// whose error (2 ulp plus |x| * 2^-24 from the scaling) stays far below the 1e-5 parity bound.
#pragma once

#include <stdint.h>

#define SF_LOG2E 1.4426950408889634f

// PyTorch's softplus with its default threshold (linear above 20), as Ops.softplus.
__device__ __forceinline__ float sf_softplus(float x) {
    return x > 20.f ? x : log1pf(expf(x));
}

__device__ __forceinline__ float sf_silu(float x) {
    return x / (1.f + expf(-x));
}

// Asynchronous copies global -> shared (sm_80+), no registers in between. src_bytes 0 writes zeros (tile
// edges); the source address must still be a valid one.
__device__ __forceinline__ void sf_cp_async16(float* dst, const float* src, bool full) {
    unsigned d = (unsigned)__cvta_generic_to_shared(dst);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(d), "l"(src), "r"(full ? 16 : 0) : "memory");
}

__device__ __forceinline__ void sf_cp_async4(float* dst, const float* src, bool full) {
    unsigned d = (unsigned)__cvta_generic_to_shared(dst);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;" ::"r"(d), "l"(src), "r"(full ? 4 : 0) : "memory");
}

__device__ __forceinline__ void sf_cp_async_commit() {
    asm volatile("cp.async.commit_group;" ::: "memory");
}

// Waits until at most N of this thread's committed copy groups are still in flight.
template <int N>
__device__ __forceinline__ void sf_cp_async_wait() {
    asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
}

__device__ __forceinline__ float sf_warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, o);
    }
    return v;
}

__device__ __forceinline__ double sf_warp_sum_d(double v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, o);
    }
    return v;
}

// Sum over a whole block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
__device__ __forceinline__ double sf_block_sum_d(double v, double* scratch /* >= 33 */) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    v = sf_warp_sum_d(v);
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        int warps = blockDim.x >> 5;
        double w = lane < warps ? scratch[lane] : 0.0;
        w = sf_warp_sum_d(w);
        if (lane == 0) {
            scratch[32] = w;
        }
    }
    __syncthreads();
    double total = scratch[32];
    __syncthreads();
    return total;
}

// Base of one slot's state for one layer part: slot * stateFloats + offset, in 64-bit arithmetic
// (thousands of slots of a large model pass 2^31 floats).
__device__ __forceinline__ float* sf_slot_ptr(float* states, int slot, long long stateFloats, long long offset) {
    return states + (long long)slot * stateFloats + offset;
}

// One Mamba-1 layer's weights as the one-launch kernels read them (the table Mamba1LayerTable builds):
// twelve pointers, the dense ones (*T) to transposed copies whose padding each kernel documents.
struct SfM1Layer {
    const float* norm;     // [D]
    const float* inT;      // [D][2E]
    const float* inBias;   // [2E] or null
    const float* convW;    // [E][K]
    const float* convB;    // [E] or null
    const float* xT;       // [E][R + 2N]
    const float* dtT;      // [R][E]
    const float* dtBias;   // [E]
    const float* A2;       // [E][N], A * log2(e)
    const float* D;        // [E]
    const float* outT;     // [E][D]
    const float* outBias;  // [D] or null
};

// y[s] = x[s] / sqrt(mean(x[s]^2) + eps) * w, float64 sum as Ops.rmsNorm; one warp per slot,
// T threads in the block.
template <int T>
__device__ __forceinline__ void sf_rmsnorm_rows(const float* x, const float* __restrict__ w, float eps, float* y, int D, int S) {
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    for (int s = warp; s < S; s += T / 32) {
        double acc = 0.0;
        for (int i = lane; i < D; i += 32) {
            double v = x[s * D + i];
            acc += v * v;
        }
        acc = sf_warp_sum_d(acc);
        float scale = (float)(1.0 / sqrt(acc / D + (double)eps));
        for (int i = lane; i < D; i += 32) {
            y[s * D + i] = x[s * D + i] * scale * w[i];
        }
    }
}
