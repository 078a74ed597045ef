// Causal depthwise conv1d + SiLU over the rows of each request (prefill) or one row per slot (step),
// reading the K-1 previous inputs of every channel from the conv window kept in the slot's state:
// [channels, K-1], oldest first (the layout of the reference models and the state codec).
//
// Rows of a prefill pass are packed per request: request q owns rows reqRow[q] .. reqRow[q]+reqLen[q]-1
// and state slot reqSlot[q]. Input and output are row-strided so the conv reads straight out of the
// in_proj output (Mamba-1: x of [x, z]; Mamba-2: xBC of [z, xBC, dt]).
#pragma once

#include "common.cuh"

#define SF_CONV_TOKENS 32

// out[t, c] = SiLU(bias[c] + sum_k w[c, k] * in[t - K + 1 + k, c])
// A thread owns one channel and SF_CONV_TOKENS tokens. For K <= 4 (the usual kernels) it loads its tokens'
// inputs and the 3 before them into registers first, all loads in flight together, then sums each output
// from registers; the weights sit at the end of 4 slots (leading ones 0), so the sum runs in the same order
// as the reference's. Larger K takes a plain loop.
// grid (ceil(channels / 128), ceil(maxLen / SF_CONV_TOKENS), requests), block 128
extern "C" __global__ void conv_fwd(const float* __restrict__ X, int ldx, const float* __restrict__ states,
                                    long long stateFloats, long long windowOffset,
                                    const int* __restrict__ reqRow, const int* __restrict__ reqLen,
                                    const int* __restrict__ reqSlot, const float* __restrict__ w,
                                    const float* __restrict__ bias, float* __restrict__ U, int ldu,
                                    int channels, int K) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    int q = blockIdx.z;
    int len = reqLen[q];
    int t0 = blockIdx.y * SF_CONV_TOKENS;
    if (c >= channels || t0 >= len) {
        return;
    }
    long long row0 = reqRow[q];
    int keep = K - 1;
    const float* win = states + (long long)reqSlot[q] * stateFloats + windowOffset + (long long)c * keep;
    const float* wc = w + (long long)c * K;
    float b = bias != nullptr ? bias[c] : 0.f;
    int t1 = min(t0 + SF_CONV_TOKENS, len);
    if (K <= 4) {
        float x[SF_CONV_TOKENS + 3];  // x[i]: input of token t0 - 3 + i
#pragma unroll
        for (int i = 0; i < SF_CONV_TOKENS + 3; i++) {
            int j = t0 - 3 + i;
            x[i] = j >= t1 || j < -keep ? 0.f : j >= 0 ? X[(row0 + j) * ldx + c] : win[keep + j];
        }
        float wk[4];
#pragma unroll
        for (int k = 0; k < 4; k++) {
            wk[k] = k >= 4 - K ? wc[k - (4 - K)] : 0.f;
        }
#pragma unroll
        for (int i = 0; i < SF_CONV_TOKENS; i++) {
            if (t0 + i < t1) {
                float acc = b;
#pragma unroll
                for (int k = 0; k < 4; k++) {
                    if (k >= 4 - K) {
                        acc = fmaf(wk[k], x[i + k], acc);
                    }
                }
                U[(row0 + t0 + i) * ldu + c] = sf_silu(acc);
            }
        }
        return;
    }
    for (int t = t0; t < t1; t++) {
        float acc = b;
        for (int k = 0; k < K; k++) {
            int j = t - keep + k;
            float x = j >= 0 ? X[(row0 + j) * ldx + c] : win[keep + j];
            acc = fmaf(wc[k], x, acc);
        }
        U[(row0 + t) * ldu + c] = sf_silu(acc);
    }
}

// After conv_fwd: the window now ends with the request's last K-1 inputs (shifted in place, ascending,
// as the reference does). grid (ceil(channels / 128), requests), block 128
extern "C" __global__ void conv_window_update(const float* __restrict__ X, int ldx, float* __restrict__ states,
                                              long long stateFloats, long long windowOffset,
                                              const int* __restrict__ reqRow, const int* __restrict__ reqLen,
                                              const int* __restrict__ reqSlot, int channels, int K) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    int q = blockIdx.y;
    if (c >= channels) {
        return;
    }
    long long row0 = reqRow[q];
    int len = reqLen[q];
    int keep = K - 1;
    float* win = states + (long long)reqSlot[q] * stateFloats + windowOffset + (long long)c * keep;
    for (int i = 0; i < keep; i++) {
        int j = len - keep + i;
        win[i] = j >= 0 ? X[(row0 + j) * ldx + c] : win[i + len];
    }
}

// One token per slot: conv over the window plus the new input, then the window shifts by one.
// grid (ceil(channels / 128), count), block 128
extern "C" __global__ void conv_step(const float* __restrict__ X, int ldx, float* __restrict__ states,
                                     long long stateFloats, long long windowOffset, const int* __restrict__ slots,
                                     const float* __restrict__ w, const float* __restrict__ bias,
                                     float* __restrict__ U, int ldu, int channels, int K) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    int b = blockIdx.y;
    if (c >= channels) {
        return;
    }
    int keep = K - 1;
    float* win = states + (long long)slots[b] * stateFloats + windowOffset + (long long)c * keep;
    const float* wc = w + (long long)c * K;
    float x = X[(long long)b * ldx + c];
    float acc = bias != nullptr ? bias[c] : 0.f;
    for (int k = 0; k < keep; k++) {
        acc = fmaf(wc[k], win[k], acc);
    }
    acc = fmaf(wc[keep], x, acc);
    U[(long long)b * ldu + c] = sf_silu(acc);
    for (int i = 0; i + 1 < keep; i++) {
        win[i] = win[i + 1];
    }
    if (keep > 0) {
        win[keep - 1] = x;
    }
}
