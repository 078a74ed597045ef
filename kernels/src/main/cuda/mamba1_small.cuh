// The whole batched step of a small Mamba-1 model in one launch: embedding, every layer (RMSNorm,
// in_proj, conv step, x_proj, dt_proj, the selective state update, out_proj + residual), the final norm,
// the LM head and the argmax. For models whose weights stay in L2 (an audio-sized model: hidden 64,
// 2 layers) a step is bound by launch latency and by reading and writing each slot's state; one launch
// per step removes the former, the latter is prefetched into L2 at the start of each layer.
//
// A block owns S slots (S <= 16) and keeps their activations in shared memory; a dense layer is computed
// by threads over output columns (or a few threads per column, reduced by shuffles, when there are fewer
// columns than threads) reading the transposed weights coalesced and each slot's input from shared memory.
// Same math and state layout as the per-layer kernels; sums run in other orders (parity tests bound it).
#pragma once

#include "common.cuh"

#define SF_SMALL_SMAX 16
#define SF_SMALL_THREADS 256

// The layer table (SfM1Layer): here the *T copies are [in][out], no padding.

namespace sf_small {

// out[s][o] (+)= sum_k in[s][k] * WT[k][o] + bias[o] for s < S, o < O; tpo threads per column.
__device__ __forceinline__ void linear(const float* in, int ldin, int Kd, const float* __restrict__ WT, int O,
                                       const float* __restrict__ bias, float* out, int ldout, int S, bool add) {
    int tpo = 1;
    while (tpo * 2 <= 32 && tpo * 2 * O <= SF_SMALL_THREADS) {
        tpo *= 2;
    }
    const int groups = SF_SMALL_THREADS / tpo;
    const int part = threadIdx.x % tpo;
    for (int o0 = 0; o0 < O; o0 += groups) {
        const int o = o0 + threadIdx.x / tpo;
        const bool ok = o < O;
        float acc[SF_SMALL_SMAX];
#pragma unroll
        for (int s = 0; s < SF_SMALL_SMAX; s++) {
            acc[s] = 0.f;
        }
        if (ok) {
            for (int k = part; k < Kd; k += tpo) {
                float w = WT[(long long)k * O + o];
#pragma unroll
                for (int s = 0; s < SF_SMALL_SMAX; s++) {
                    if (s < S) {
                        acc[s] = fmaf(in[s * ldin + k], w, acc[s]);
                    }
                }
            }
        }
#pragma unroll
        for (int s = 0; s < SF_SMALL_SMAX; s++) {
            if (s < S) {
                for (int m = tpo >> 1; m > 0; m >>= 1) {
                    acc[s] += __shfl_xor_sync(0xffffffffu, acc[s], m);
                }
            }
        }
        if (ok && part == 0) {
            float b = bias != nullptr ? bias[o] : 0.f;
#pragma unroll
            for (int s = 0; s < SF_SMALL_SMAX; s++) {
                if (s < S) {
                    float v = acc[s] + b;
                    out[s * ldout + o] = add ? out[s * ldout + o] + v : v;
                }
            }
        }
    }
}


}  // namespace sf_small

// grid (ceil(count / S)), block 256, dynamic shared memory S * (2D + 4E + xw + V) floats.
// outKind: 0 state only, 1 final hidden -> hiddenOut [count, D], 2 logits -> logitsOut [count, V],
// 3 argmax -> tokenOut [count].
extern "C" __global__ void __launch_bounds__(SF_SMALL_THREADS)
m1_small_step(const SfM1Layer* __restrict__ layersW, int layers, const float* __restrict__ emb,
              const float* __restrict__ normF, const float* __restrict__ lmT, const int* __restrict__ tokens,
              const int* __restrict__ slots, int count, float* __restrict__ states, long long stateFloats,
              long long layerState, int D, int E, int N, int R, int K, int V, float eps, int S, int outKind,
              float* __restrict__ hiddenOut, float* __restrict__ logitsOut, int* __restrict__ tokenOut) {
    extern __shared__ float smem[];
    const int xw = R + 2 * N;
    float* h = smem;               // [S][D] residual
    float* xn = h + S * D;         // [S][D] normed
    float* xz = xn + S * D;        // [S][2E]
    float* u = xz + S * 2 * E;     // [S][E]
    float* xd = u + S * E;         // [S][xw]
    float* y = xd + S * xw;        // [S][E]
    float* lg = y + S * E;         // [S][V]
    const int b0 = blockIdx.x * S;
    const int tid = threadIdx.x;
    const int keep = K - 1;

    for (int i = tid; i < S * D; i += SF_SMALL_THREADS) {
        int s = i / D;
        int b = b0 + s;
        h[i] = b < count ? emb[(long long)tokens[b] * D + (i - s * D)] : 0.f;
    }
    for (int layer = 0; layer < layers; layer++) {
        const SfM1Layer w = layersW[layer];
        // Pull this layer's slice of every slot's state into L2 while the projections run.
        const long long lines = (layerState + 31) / 32;
        for (long long i = tid; i < S * lines; i += SF_SMALL_THREADS) {
            int s = (int)(i / lines);
            if (b0 + s < count) {
                const float* p = states + (long long)slots[b0 + s] * stateFloats + layer * layerState + (i - s * lines) * 32;
                asm volatile("prefetch.global.L2 [%0];" ::"l"(p));
            }
        }
        __syncthreads();
        sf_rmsnorm_rows<SF_SMALL_THREADS>(h, w.norm, eps, xn, D, S);
        __syncthreads();
        sf_small::linear(xn, D, D, w.inT, 2 * E, w.inBias, xz, 2 * E, S, false);
        __syncthreads();
        // Conv step (window [E, K-1] oldest first), SiLU.
        for (int i = tid; i < S * E; i += SF_SMALL_THREADS) {
            int s = i / E;
            int c = i - s * E;
            int b = b0 + s;
            float out = 0.f;
            if (b < count) {
                float* win = states + (long long)slots[b] * stateFloats + layer * layerState + (long long)c * keep;
                const float* wc = w.convW + (long long)c * K;
                float x = xz[s * 2 * E + c];
                float acc = w.convB != nullptr ? w.convB[c] : 0.f;
                for (int k = 0; k < keep; k++) {
                    acc = fmaf(wc[k], win[k], acc);
                }
                acc = fmaf(wc[keep], x, acc);
                out = sf_silu(acc);
                for (int k = 0; k + 1 < keep; k++) {
                    win[k] = win[k + 1];
                }
                if (keep > 0) {
                    win[keep - 1] = x;
                }
            }
            u[i] = out;
        }
        __syncthreads();
        sf_small::linear(u, E, E, w.xT, xw, nullptr, xd, xw, S, false);
        __syncthreads();
        // dt_proj, softplus, the selective state update, D skip and gate.
        for (int i = tid; i < S * E; i += SF_SMALL_THREADS) {
            int s = i / E;
            int c = i - s * E;
            int b = b0 + s;
            float out = 0.f;
            if (b < count) {
                const float* xs = xd + s * xw;
                float dt = 0.f;
                for (int r = 0; r < R; r++) {
                    dt = fmaf(xs[r], w.dtT[(long long)r * E + c], dt);
                }
                float delta = sf_softplus(dt + w.dtBias[c]);
                float uc = u[i];
                float du = delta * uc;
                float* st = states + (long long)slots[b] * stateFloats + layer * layerState + (long long)E * keep
                            + (long long)c * N;
                const float* a2 = w.A2 + (long long)c * N;
                float acc = 0.f;
                for (int n = 0; n < N; n++) {
                    float v = fmaf(exp2f(delta * a2[n]), st[n], du * xs[R + n]);
                    st[n] = v;
                    acc = fmaf(v, xs[R + N + n], acc);
                }
                out = (acc + w.D[c] * uc) * sf_silu(xz[s * 2 * E + E + c]);
            }
            y[i] = out;
        }
        __syncthreads();
        sf_small::linear(y, E, E, w.outT, D, w.outBias, h, D, S, true);
        __syncthreads();
    }
    if (outKind == 0) {
        return;
    }
    sf_rmsnorm_rows<SF_SMALL_THREADS>(h, normF, eps, xn, D, S);
    __syncthreads();
    if (outKind == 1) {
        for (int i = tid; i < S * D; i += SF_SMALL_THREADS) {
            int b = b0 + i / D;
            if (b < count) {
                hiddenOut[(long long)b0 * D + i] = xn[i];
            }
        }
        return;
    }
    sf_small::linear(xn, D, D, lmT, V, nullptr, lg, V, S, false);
    __syncthreads();
    if (outKind == 2) {
        for (int i = tid; i < S * V; i += SF_SMALL_THREADS) {
            int b = b0 + i / V;
            if (b < count) {
                logitsOut[(long long)b0 * V + i] = lg[i];
            }
        }
        return;
    }
    const int warp = tid >> 5, lane = tid & 31;
    for (int s = warp; s < S; s += SF_SMALL_THREADS / 32) {
        float best = -INFINITY;
        int bi = 0x7fffffff;
        for (int v = lane; v < V; v += 32) {
            float x = lg[s * V + v];
            if (x > best || (x == best && v < bi)) {
                best = x;
                bi = v;
            }
        }
        for (int m = 16; m > 0; m >>= 1) {
            float ob = __shfl_xor_sync(0xffffffffu, best, m);
            int oi = __shfl_xor_sync(0xffffffffu, bi, m);
            if (ob > best || (ob == best && oi < bi)) {
                best = ob;
                bi = oi;
            }
        }
        if (lane == 0 && b0 + s < count) {
            tokenOut[b0 + s] = bi == 0x7fffffff ? 0 : bi;
        }
    }
}
