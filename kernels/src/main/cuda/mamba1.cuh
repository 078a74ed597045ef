// Mamba-1 selective scan, one step: per channel d, state n (A2 = A * log2(e), A = -exp(A_log))
//
//   delta    = softplus(dt[d] + dt_bias[d])
//   s[d, n]  = exp2(delta * A2[d, n]) * s[d, n] + delta * B[n] * u[d]
//   y[d]     = (sum_n s[d, n] * C[n] + D[d] * u[d]) * SiLU(z[d])
//
// Prefill runs the same recurrence in mamba1_scan.cuh.
#pragma once

#include "common.cuh"

#define SF_M1_CPB 32   // channels per block

// One token per slot (a batched step): row b belongs to slot slots[b]. Each channel's N states are split
// over tpc threads (4 states each, a power of two), the sum over n is a shuffle reduction inside them.
// grid (ceil(E / 32), count), block 32 * tpc
extern "C" __global__ void m1_scan_step(const float* __restrict__ U, int ldu,
                                        const float* __restrict__ DT, int lddt,
                                        const float* __restrict__ dtBias,
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
        delta = sf_softplus(DT[b * lddt + c] + dtBias[c]);
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
