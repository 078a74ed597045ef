// Mamba-2 (SSD): one scalar decay per head h, heads of P channels, B and C shared by the heads of a group.
//
//   delta[h]     = clamp(softplus(dt[h] + dt_bias[h]), dtMin, dtMax)
//   s[h, p, n]   = exp(delta A[h]) s[h, p, n] + delta x[h, p] B[g(h), n]
//   y[h, p]      = sum_n s[h, p, n] C[g(h), n] + D[h] x[h, p]          (the gate is in the gated norm)
//
// Prefill (m2_ssd_fwd) uses the SSD block form: a block of Q tokens is computed as a masked matrix
// product (C B^T, decayed by exp(cum[t] - cum[s]), times delta x) plus the state entering the block,
// and the state is then passed to the next block. One CUDA block owns one (request, head) and walks
// the request's tokens block by block, the state [P, N] held in shared memory throughout; the state is
// read from the slot at the start and written back at the end. The block length Q is the kernel's own
// (any length gives the same result up to float rounding: the block form is an exact rewriting of the
// recurrence). The step (m2_scan_step) runs the recurrence, one token per slot.
#pragma once

#include "common.cuh"

#define SF_M2_Q 32
#define SF_M2_CPB 32

__device__ __forceinline__ float sf_m2_delta(float dt, float bias, float dtMin, float dtMax) {
    float d = sf_softplus(dt + bias);
    return fminf(fmaxf(d, dtMin), dtMax);
}

// grid (heads, requests), block 256, dynamic shared memory m2_ssd_smem_floats(P, N) floats:
//   P*N + 2*Q*N + Q*P + Q*Q + 4*Q
extern "C" __global__ void __launch_bounds__(256)
m2_ssd_fwd(const float* __restrict__ XBC, int ldx,          // conv output [rows, convDim]: x, B, C
           const float* __restrict__ DT, int lddt,          // raw dt, one column per head
           const float* __restrict__ dtBias, const float* __restrict__ negA, const float* __restrict__ Dskip,
           float dtMin, float dtMax,
           float* __restrict__ Y, int ldy,
           float* __restrict__ states, long long stateFloats, long long ssmOffset,
           const int* __restrict__ reqRow, const int* __restrict__ reqLen, const int* __restrict__ reqSlot,
           int H, int P, int N, int G) {
    extern __shared__ float smem[];
    const int Q = SF_M2_Q;
    float* S = smem;                   // [P][N]
    float* sB = S + P * N;             // [Q][N]
    float* sC = sB + Q * N;            // [Q][N]
    float* sX = sC + Q * N;            // [Q][P]
    float* sCB = sX + Q * P;           // [Q][Q]: (C_t . B_s) exp(cum[t] - cum[s]), s <= t
    float* sCum = sCB + Q * Q;         // [Q]
    float* sDelta = sCum + Q;          // [Q]
    float* sEnter = sDelta + Q;        // [Q]: exp(cum[t])
    float* sW = sEnter + Q;            // [Q]: exp(cum[last] - cum[s]) delta[s]

    const int h = blockIdx.x;
    const int r = blockIdx.y;
    const int E = H * P;
    const int g = h / (H / G);
    const int bCol = E + g * N;
    const int cCol = E + G * N + g * N;
    const long long row0 = reqRow[r];
    const int len = reqLen[r];
    float* st = sf_slot_ptr(states, reqSlot[r], stateFloats, ssmOffset) + (long long)h * P * N;
    const float a = negA[h];
    const float dsk = Dskip[h];
    const float bias = dtBias[h];
    const int tid = threadIdx.x;
    const int nt = blockDim.x;

    for (int i = tid; i < P * N; i += nt) {
        S[i] = st[i];
    }
    for (int t0 = 0; t0 < len; t0 += Q) {
        const int ql = min(Q, len - t0);
        // Stage the block: delta, B, C, x.
        if (tid < Q) {
            sDelta[tid] = tid < ql ? sf_m2_delta(DT[(row0 + t0 + tid) * lddt + h], bias, dtMin, dtMax) : 0.f;
        }
        for (int i = tid; i < Q * N; i += nt) {
            int t = i / N;
            int n = i % N;
            float bv = 0.f, cv = 0.f;
            if (t < ql) {
                const float* row = XBC + (row0 + t0 + t) * ldx;
                bv = row[bCol + n];
                cv = row[cCol + n];
            }
            sB[i] = bv;
            sC[i] = cv;
        }
        for (int i = tid; i < Q * P; i += nt) {
            int t = i / P;
            int p = i % P;
            sX[i] = t < ql ? XBC[(row0 + t0 + t) * ldx + h * P + p] : 0.f;
        }
        __syncthreads();
        if (tid == 0) {
            // Sequential prefix sum, the reference's order.
            float acc = 0.f;
            for (int t = 0; t < ql; t++) {
                acc += sDelta[t] * a;
                sCum[t] = acc;
            }
            for (int t = ql; t < Q; t++) {
                sCum[t] = acc;
            }
        }
        __syncthreads();
        const float total = sCum[ql - 1];
        if (tid < Q) {
            sEnter[tid] = expf(sCum[tid]);
            sW[tid] = expf(total - sCum[tid]) * sDelta[tid];
        }
        for (int i = tid; i < Q * Q; i += nt) {
            int t = i / Q;
            int s = i % Q;
            float v = 0.f;
            if (s <= t && t < ql) {
                float dot = 0.f;
                for (int n = 0; n < N; n++) {
                    dot = fmaf(sC[t * N + n], sB[s * N + n], dot);
                }
                v = expf(sCum[t] - sCum[s]) * dot;
            }
            sCB[i] = v;
        }
        __syncthreads();
        // Outputs: entering state decayed to t, plus the block-local masked product.
        for (int i = tid; i < ql * P; i += nt) {
            int t = i / P;
            int p = i % P;
            float dot = 0.f;
            for (int n = 0; n < N; n++) {
                dot = fmaf(sC[t * N + n], S[p * N + n], dot);
            }
            float y = sEnter[t] * dot;
            for (int s = 0; s <= t; s++) {
                y = fmaf(sCB[t * Q + s], sDelta[s] * sX[s * P + p], y);
            }
            Y[(row0 + t0 + t) * ldy + h * P + p] = y + dsk * sX[t * P + p];
        }
        __syncthreads();
        // State leaving the block.
        const float blockDecay = expf(total);
        for (int i = tid; i < P * N; i += nt) {
            int p = i / N;
            int n = i % N;
            float v = S[i] * blockDecay;
            for (int s = 0; s < ql; s++) {
                v = fmaf(sW[s] * sX[s * P + p], sB[s * N + n], v);
            }
            S[i] = v;
        }
        __syncthreads();
    }
    for (int i = tid; i < P * N; i += nt) {
        st[i] = S[i];
    }
}

// One token per slot. Row hp = h * P + p of the state is split over tpc threads of 4 states each.
// grid (ceil(H * P / 32), count), block 32 * tpc
extern "C" __global__ void m2_scan_step(const float* __restrict__ XBC, int ldx,
                                        const float* __restrict__ DT, int lddt,
                                        const float* __restrict__ dtBias, const float* __restrict__ negA2,
                                        const float* __restrict__ Dskip, float dtMin, float dtMax,
                                        float* __restrict__ Y, int ldy,
                                        float* __restrict__ states, long long stateFloats, long long ssmOffset,
                                        const int* __restrict__ slots, int H, int P, int N, int G, int tpc) {
    const int q = threadIdx.x % tpc;
    const int hp = blockIdx.x * SF_M2_CPB + threadIdx.x / tpc;
    const int E = H * P;
    const bool valid = hp < E;
    const long long b = blockIdx.y;
    const int h = valid ? hp / P : 0;
    const int g = h / (H / G);
    const float* row = XBC + b * ldx;
    float delta = 0.f, x = 0.f, dA = 0.f;
    if (valid) {
        delta = sf_m2_delta(DT[b * lddt + h], dtBias[h], dtMin, dtMax);
        x = row[hp];
        dA = exp2f(delta * negA2[h]);
    }
    const float dx = delta * x;
    float* st = sf_slot_ptr(states, slots[b], stateFloats, ssmOffset) + (long long)hp * N;
    const float* bv = row + E + g * N;
    const float* cv = row + E + G * N + g * N;
    float part = 0.f;
#pragma unroll
    for (int j = 0; j < 4; j++) {
        int n = q * 4 + j;
        if (valid && n < N) {
            float s = fmaf(dA, st[n], dx * bv[n]);
            st[n] = s;
            part = fmaf(s, cv[n], part);
        }
    }
    for (int o = tpc >> 1; o > 0; o >>= 1) {
        part += __shfl_xor_sync(0xffffffffu, part, o);
    }
    if (q == 0 && valid) {
        Y[b * ldy + hp] = part + Dskip[h] * x;
    }
}
