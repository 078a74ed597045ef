// Token choice on the device, so a generating step returns token ids instead of logits.
//
// argmax_rows: greedy, lowest index on ties (as Sampler.argmax and torch.argmax).
// sample_rows: temperature, top-k, top-p exactly as Sampler.sample: candidates ordered by
//   (logit desc, index asc), probabilities exp(l / T - max) in float64, the smallest prefix whose mass
//   reaches top-p, and a caller-drawn uniform u in [0, 1) per row (from the stream's RandomState, so the
//   draw sequence is the CPU's). The candidate set is capped at SF_TOPK_MAX (top-k 0 means "no cap" on
//   the CPU; on the device it needs an explicit k <= SF_TOPK_MAX).
#pragma once

#include "common.cuh"

#define SF_TOPK_MAX 64

__device__ __forceinline__ bool sf_better(float v, int i, float bv, int bi) {
    return v > bv || (v == bv && i < bi);
}

// grid (rows), block 256
extern "C" __global__ void argmax_rows(const float* __restrict__ X, long long ld, int cols, int* __restrict__ out) {
    __shared__ float sv[256];
    __shared__ int si[256];
    const float* x = X + (long long)blockIdx.x * ld;
    float best = -INFINITY;
    int bi = 0x7fffffff;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
        float v = x[i];
        if (sf_better(v, i, best, bi)) {
            best = v;
            bi = i;
        }
    }
    sv[threadIdx.x] = best;
    si[threadIdx.x] = bi;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            float v = sv[threadIdx.x + s];
            int i = si[threadIdx.x + s];
            if (sf_better(v, i, sv[threadIdx.x], si[threadIdx.x])) {
                sv[threadIdx.x] = v;
                si[threadIdx.x] = i;
            }
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        out[blockIdx.x] = si[0] == 0x7fffffff ? 0 : si[0];
    }
}

// Top-k by k rounds of a block-wide argmax that skips already-chosen indices; k <= SF_TOPK_MAX.
// grid (rows), block 256
extern "C" __global__ void sample_rows(const float* __restrict__ X, long long ld, int cols, double invTemperature,
                                       int topK, float topP, const double* __restrict__ uniforms,
                                       int* __restrict__ out) {
    __shared__ float sv[256];
    __shared__ int si[256];
    __shared__ float candV[SF_TOPK_MAX];
    __shared__ int candI[SF_TOPK_MAX];
    const float* x = X + (long long)blockIdx.x * ld;
    int k = topK < cols ? topK : cols;
    for (int round = 0; round < k; round++) {
        float prevV = round == 0 ? INFINITY : candV[round - 1];
        int prevI = round == 0 ? -1 : candI[round - 1];
        float best = -INFINITY;
        int bi = 0x7fffffff;
        for (int i = threadIdx.x; i < cols; i += blockDim.x) {
            float v = x[i];
            // strictly after the previous candidate in (value desc, index asc) order
            bool after = v < prevV || (v == prevV && i > prevI);
            if (after && sf_better(v, i, best, bi)) {
                best = v;
                bi = i;
            }
        }
        sv[threadIdx.x] = best;
        si[threadIdx.x] = bi;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (threadIdx.x < s) {
                float v = sv[threadIdx.x + s];
                int i = si[threadIdx.x + s];
                if (sf_better(v, i, sv[threadIdx.x], si[threadIdx.x])) {
                    sv[threadIdx.x] = v;
                    si[threadIdx.x] = i;
                }
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) {
            candV[round] = sv[0];
            candI[round] = si[0];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        double maxv = -INFINITY;
        for (int i = 0; i < k; i++) {
            double l = (double)candV[i] * invTemperature;
            maxv = l > maxv ? l : maxv;
        }
        double probs[SF_TOPK_MAX];
        double total = 0.0;
        for (int i = 0; i < k; i++) {
            probs[i] = exp((double)candV[i] * invTemperature - maxv);
            total += probs[i];
        }
        int n = k;
        if (topP < 1.f) {
            double kept = 0.0;
            int keep = 0;
            while (keep < n && kept < (double)topP * total) {
                kept += probs[keep++];
            }
            n = keep;
            total = kept;
        }
        double u = uniforms[blockIdx.x] * total;
        double acc = 0.0;
        int chosen = candI[n - 1];
        for (int i = 0; i < n; i++) {
            acc += probs[i];
            if (u < acc) {
                chosen = candI[i];
                break;
            }
        }
        out[blockIdx.x] = chosen;
    }
}
