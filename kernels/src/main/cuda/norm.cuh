// Embedding gather, RMSNorm (plain and gated), pooled means and copies between row layouts.
#pragma once

#include "common.cuh"

// out[r, :] = emb[tokens[r], :]       grid (rows), block 128
extern "C" __global__ void embed_rows(const int* __restrict__ tokens, const float* __restrict__ emb,
                                      float* __restrict__ out, int rows, int d) {
    int r = blockIdx.x;
    if (r >= rows) {
        return;
    }
    const float* src = emb + (long long)tokens[r] * d;
    float* dst = out + (long long)r * d;
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        dst[i] = src[i];
    }
}

// y[r, :] = x[src(r), :] / sqrt(mean(x^2) + eps) * weight, src(r) = rowIndex ? rowIndex[r] : r.
// Sum of squares in float64 and the scale in float64 rounded once, exactly as Ops.rmsNorm.
// grid (rows), block 128
extern "C" __global__ void rmsnorm_rows(const float* __restrict__ X, const int* __restrict__ rowIndex,
                                        const float* __restrict__ weight, float eps,
                                        float* __restrict__ Y, int rows, int n) {
    __shared__ double scratch[33];
    int r = blockIdx.x;
    if (r >= rows) {
        return;
    }
    long long src = rowIndex != nullptr ? rowIndex[r] : r;
    const float* x = X + src * n;
    float* y = Y + (long long)r * n;
    double s = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        double v = x[i];
        s += v * v;
    }
    s = sf_block_sum_d(s, scratch);
    float scale = (float)(1.0 / sqrt(s / n + (double)eps));
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        y[i] = x[i] * scale * weight[i];
    }
}

// Mamba-2's gated norm, in place on y [rows, e] (row stride ldy):
//   y = y * SiLU(z); then per group of g channels y = y / sqrt(mean(y^2) + eps) * weight
// grid (rows, e / g), block 128
extern "C" __global__ void gated_rmsnorm(float* __restrict__ Y, int ldy, const float* __restrict__ Z, int ldz,
                                         const float* __restrict__ weight, float eps, int rows, int e, int g) {
    __shared__ double scratch[33];
    int r = blockIdx.x;
    int g0 = blockIdx.y * g;
    if (r >= rows) {
        return;
    }
    float* y = Y + (long long)r * ldy;
    const float* z = Z + (long long)r * ldz;
    double s = 0.0;
    for (int c = g0 + threadIdx.x; c < g0 + g; c += blockDim.x) {
        float v = y[c] * sf_silu(z[c]);
        y[c] = v;
        s += (double)v * v;
    }
    s = sf_block_sum_d(s, scratch);
    float scale = (float)(1.0 / sqrt(s / g + (double)eps));
    for (int c = g0 + threadIdx.x; c < g0 + g; c += blockDim.x) {
        y[c] = y[c] * scale * weight[c];
    }
}

// acc[reqOut[q], i] += sum over the request's rows of H[row, i], in float64 and row order (MEAN_HIDDEN).
// grid (ceil(d / 128), requests), block 128
extern "C" __global__ void mean_accumulate(const float* __restrict__ H, int d, const int* __restrict__ reqRow,
                                           const int* __restrict__ reqLen, const int* __restrict__ reqOut,
                                           double* __restrict__ acc) {
    int q = blockIdx.y;
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= d) {
        return;
    }
    long long row0 = reqRow[q];
    int len = reqLen[q];
    double* a = acc + (long long)reqOut[q] * d + i;
    double s = *a;
    for (int t = 0; t < len; t++) {
        s += (double)H[(row0 + t) * d + i];
    }
    *a = s;
}

// out[q, :] = H[rows[q], :]    (last rows of prefill requests)   grid (count), block 128
extern "C" __global__ void gather_rows(const float* __restrict__ H, int d, const int* __restrict__ rows,
                                       float* __restrict__ out, int count) {
    int q = blockIdx.x;
    if (q >= count) {
        return;
    }
    const float* src = H + (long long)rows[q] * d;
    float* dst = out + (long long)q * d;
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        dst[i] = src[i];
    }
}
