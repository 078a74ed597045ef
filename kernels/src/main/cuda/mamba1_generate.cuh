// On-device generation for Mamba-1 models: one launch advances a set of slots by `steps` tokens, each
// sampled token fed back as the next input without the host. Slots are independent, so a block owns S of
// them and walks the steps on its own (no grid-wide sync): embedding, every layer (RMSNorm, in_proj, conv
// step, x_proj, dt_proj + softplus, selective state update, SiLU(z) gate, out_proj + residual), final
// norm, LM head, then greedy argmax or Sampler-exact sampling with the slot's SplitMix64 state.
//
// Math and state layout are the per-layer step kernels' (conv window [E, K-1] oldest first, then the SSM
// state [E, N], per layer); the state is read from and written to the slot buffer each step (it is too
// large to stay on chip for thousands of slots; mostly L2-resident). Activations of the block's slots
// live in shared memory. Dense layers: each thread computes a register tile of 4 output columns x SPT
// slots from float4 loads of transposed (column-padded) weights, so one weight load feeds 4*SPT FMAs;
// layers with few columns split K over a few lanes (reduced by shuffles). The split depends only on the
// layer's shape, never on S, so a slot's result does not depend on how many slots share its launch.
#pragma once

#include "common.cuh"

// The layer table (SfM1Layer): here the *T copies are [in][out4], out4 = out rounded up to 4, pad
// columns zero.
__device__ __forceinline__ int sf_round4(int x) {
    return (x + 3) & ~3;
}

namespace sf_gen {

#define SF_GEN_KPERLANE 16  // most k per lane of a dense layer (fixes the summation order)

// K-split of a dense layer: enough lanes per column group that each lane walks at most SF_GEN_KPERLANE
// k's (in batches whose weight loads are issued together: the layer costs one or two L2 round trips
// instead of one per k) and a warp has 32 lanes of work. A function of the layer's shape only, so the
// summation order is the same for any slot count.
__device__ __forceinline__ int ksplit(int cols4, int Kd) {
    int groups = cols4 >> 2;
    int ks = 1;
    while (ks < 32 && (groups * ks < 32 || (Kd + ks - 1) / ks > SF_GEN_KPERLANE) && ks * 2 <= Kd) {
        ks <<= 1;
    }
    return ks;
}

// A float4 of weights: from shared memory (staged) or through the read-only cache.
template <bool WS>
__device__ __forceinline__ float4 ld4(const float* p) {
    if (WS) {
        return *reinterpret_cast<const float4*>(p);
    }
    return __ldg(reinterpret_cast<const float4*>(p));
}

template <bool WS>
__device__ __forceinline__ float ld1(const float* p) {
    if (WS) {
        return *p;
    }
    return __ldg(p);
}

// Row stride (floats) of a dense layer's weights staged in shared memory: ldw padded so that the float4
// loads of a quarter warp (8 lanes: ks k-rows x 8/ks column groups, see dense_t) fall in distinct banks.
// Mamba1Generator.stagedStride mirrors it.
__device__ __forceinline__ int wstride(int ldw, int Kd) {
    const int ks = ksplit(ldw, Kd);
    const int want = ks >= 8 ? 1 : (8 / ks) & 7;  // (row stride / 4) mod 8
    int l4 = ldw >> 2;
    while ((l4 & 7) != want) {
        l4++;
    }
    return l4 << 2;
}

// 16-byte asynchronous copies of a [rows][ldw] weight into shared memory rows of lds floats (one commit
// group per call site; wait with cp.async.wait_group).
template <int T>
__device__ __forceinline__ void stage(float* dst, int lds, const float* __restrict__ src, int rows, int ldw) {
    const int c4 = ldw >> 2;
    const int n = rows * c4;
    for (int i = threadIdx.x; i < n; i += T) {
        const int r = i / c4;
        const int c = i - r * c4;
        const unsigned d = (unsigned)__cvta_generic_to_shared(dst + r * lds + c * 4);
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(d), "l"(src + (long long)r * ldw + c * 4) : "memory");
    }
}

__device__ __forceinline__ void stage_commit() {
    asm volatile("cp.async.commit_group;" ::: "memory");
}

template <int N>
__device__ __forceinline__ void stage_wait() {
    asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
}

// out[s][o] (+)= sum_k in[s][k] * WT[k][o] + bias[o] for s < S, o < O; tiles of 4 columns x SPT slots.
template <int SPT, int KB, int T, bool WS>
__device__ __forceinline__ void dense_t(const float* in, int ldin, int Kd, const float* __restrict__ WT, int ldw, int lds,
                                        int O, const float* __restrict__ bias, float* out, int ldout, int S, bool add, int ks) {
    const int tc = ldw >> 2;
    const int tiles = tc * ((S + SPT - 1) / SPT);
    const int per = T / ks;
    const int part = threadIdx.x & (ks - 1);
    for (int t0 = 0; t0 < tiles; t0 += per) {  // uniform trip count: every lane reaches the shuffles
        const int tile = t0 + threadIdx.x / ks;
        const bool ok = tile < tiles;
        const int cg = ok ? tile % tc : 0;
        const int s0 = ok ? (tile / tc) * SPT : 0;
        const int o = cg * 4;
        float acc[SPT][4];
#pragma unroll
        for (int j = 0; j < SPT; j++) {
            acc[j][0] = acc[j][1] = acc[j][2] = acc[j][3] = 0.f;
        }
        if (ok) {
            const float* wp = WT + o;
            const float* ip[SPT];
#pragma unroll
            for (int j = 0; j < SPT; j++) {
                ip[j] = in + min(s0 + j, S - 1) * ldin;  // rows past S compute garbage that is never stored
            }
            const int nk = (Kd - part + ks - 1) / ks;  // this lane's k's: part, part + ks, ...
            for (int i0 = 0; i0 < nk; i0 += KB) {
                float4 w[KB];
#pragma unroll
                for (int q = 0; q < KB; q++) {
                    w[q] = i0 + q < nk ? ld4<WS>(wp + (long long)(part + (i0 + q) * ks) * lds)
                                       : make_float4(0.f, 0.f, 0.f, 0.f);
                }
#pragma unroll
                for (int q = 0; q < KB; q++) {
                    if (i0 + q < nk) {
                        const int k = part + (i0 + q) * ks;
#pragma unroll
                        for (int j = 0; j < SPT; j++) {
                            const float x = ip[j][k];
                            acc[j][0] = fmaf(x, w[q].x, acc[j][0]);
                            acc[j][1] = fmaf(x, w[q].y, acc[j][1]);
                            acc[j][2] = fmaf(x, w[q].z, acc[j][2]);
                            acc[j][3] = fmaf(x, w[q].w, acc[j][3]);
                        }
                    }
                }
            }
        }
        for (int m = ks >> 1; m > 0; m >>= 1) {
#pragma unroll
            for (int j = 0; j < SPT; j++) {
#pragma unroll
                for (int q = 0; q < 4; q++) {
                    acc[j][q] += __shfl_xor_sync(0xffffffffu, acc[j][q], m);
                }
            }
        }
        if (ok && part == 0) {
#pragma unroll
            for (int j = 0; j < SPT; j++) {
                const int s = s0 + j;
                if (s < S) {
#pragma unroll
                    for (int q = 0; q < 4; q++) {
                        if (o + q < O) {
                            float v = acc[j][q] + (bias != nullptr ? bias[o + q] : 0.f);
                            float* p = out + s * ldout + o + q;
                            *p = add ? *p + v : v;
                        }
                    }
                }
            }
        }
    }
}

// Picks the slot tile: the fewest passes of the block's threads over the tiles (each pass costs about two
// L2 round trips of latency), then the narrowest tile (the shortest chain of FMAs per thread).
// WT: the transposed weight, rows lds floats apart (ldw = round4(O) in global memory, wstride when staged).
template <int MAXSPT, int KB, int T, bool WS>
__device__ __forceinline__ void dense(const float* in, int ldin, int Kd, const float* __restrict__ WT, int lds, int O,
                                      const float* __restrict__ bias, float* out, int ldout, int S, bool add) {
    const int ldw = sf_round4(O);
    const int ks = ksplit(ldw, Kd);
    const int work = (ldw >> 2) * ks;
    const int fewest = (work * ((S + MAXSPT - 1) / MAXSPT) + T - 1) / T;
    int spt = MAXSPT;
    while (spt > 1 && (work * ((S + spt / 2 - 1) / (spt / 2)) + T - 1) / T <= fewest) {
        spt /= 2;
    }
    if (MAXSPT >= 8 && spt == 8) {
        dense_t<(MAXSPT >= 8 ? 8 : 1), KB, T, WS>(in, ldin, Kd, WT, ldw, lds, O, bias, out, ldout, S, add, ks);
    } else if (spt == 4) {
        dense_t<4, KB, T, WS>(in, ldin, Kd, WT, ldw, lds, O, bias, out, ldout, S, add, ks);
    } else if (spt == 2) {
        dense_t<2, KB, T, WS>(in, ldin, Kd, WT, ldw, lds, O, bias, out, ldout, S, add, ks);
    } else {
        dense_t<1, KB, T, WS>(in, ldin, Kd, WT, ldw, lds, O, bias, out, ldout, S, add, ks);
    }
}


// RandomState.nextDouble: SplitMix64, 53 random bits.
__device__ __forceinline__ double next_double(unsigned long long& state) {
    unsigned long long z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

// Sampler.sortKey's order: floats mapped to ints that order like them, larger first, then lower index.
__device__ __forceinline__ int ordered(float v) {
    int bits = __float_as_int(v);
    return bits >= 0 ? bits : bits ^ 0x7fffffff;
}

__device__ __forceinline__ bool before(const float* lg, int V, int a, int b) {
    if (b >= V) {
        return a < V || a < b;  // padding sorts last
    }
    if (a >= V) {
        return false;
    }
    int ka = ordered(lg[a]), kb = ordered(lg[b]);
    return ka > kb || (ka == kb && a < b);
}

// Greedy: lowest index of the largest logit (Sampler.argmax). Whole warp; every lane gets the result.
__device__ __forceinline__ int argmax(const float* lg, int V) {
    const int lane = threadIdx.x & 31;
    float best = -INFINITY;
    int bi = 0x7fffffff;
    for (int v = lane; v < V; v += 32) {
        float x = lg[v];
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
    return bi == 0x7fffffff ? 0 : bi;
}

// Sampler.sample for one row, by one warp: candidates in (logit desc, index asc) order when top-k or top-p
// filter (a bitonic sort of the indices over the padded vocabulary VP, a power of two), else in index
// order; probabilities exp(l / T - max) in float64; the running sums, which decide top-p and the draw, are
// accumulated in the CPU's order by one lane so every rounding matches. Returns the token (all lanes).
__device__ int sample(const float* lg, int V, int VP, double invT, int topK, float topP, unsigned long long& rng,
                      int* idx, double* prob) {
    const int lane = threadIdx.x & 31;
    const bool filter = (topK > 0 && topK < V) || topP < 1.f;
    int n = V;
    if (filter) {
        n = topK > 0 ? min(topK, V) : V;
        for (int i = lane; i < VP; i += 32) {
            idx[i] = i;
        }
        __syncwarp();
        for (int k = 2; k <= VP; k <<= 1) {
            for (int j = k >> 1; j > 0; j >>= 1) {
                for (int p = lane; p < (VP >> 1); p += 32) {
                    int i = ((p & ~(j - 1)) << 1) | (p & (j - 1));
                    int l = i + j;
                    int a = idx[i], b = idx[l];
                    bool first = (i & k) == 0;  // this run sorts best-first
                    if (first ? before(lg, V, b, a) : before(lg, V, a, b)) {
                        idx[i] = b;
                        idx[l] = a;
                    }
                }
                __syncwarp();
            }
        }
    }
    double mx = -INFINITY;
    for (int i = lane; i < n; i += 32) {
        double l = (double)lg[filter ? idx[i] : i] * invT;
        mx = l > mx ? l : mx;
    }
    for (int m = 16; m > 0; m >>= 1) {
        double o = __shfl_xor_sync(0xffffffffu, mx, m);
        mx = o > mx ? o : mx;
    }
    for (int i = lane; i < n; i += 32) {
        prob[i] = exp((double)lg[filter ? idx[i] : i] * invT - mx);
    }
    __syncwarp();
    int chosen = 0;
    if (lane == 0) {
        // prob[i] becomes the running sum after i + 1 candidates: the same doubles as the CPU's loops.
        double run = 0.0;
        for (int i = 0; i < n; i++) {
            run += prob[i];
            prob[i] = run;
        }
        double total = prob[n - 1];
        if (topP < 1.f) {
            double want = (double)topP * total;
            int keep = 0;
            while (keep < n && (keep == 0 ? 0.0 : prob[keep - 1]) < want) {
                keep++;
            }
            n = keep;
            total = prob[n - 1];
        }
        double u = next_double(rng) * total;
        int pick = n - 1;
        for (int i = 0; i < n; i++) {
            if (u < prob[i]) {
                pick = i;
                break;
            }
        }
        chosen = filter ? idx[pick] : pick;
    }
    __syncwarp();
    return __shfl_sync(0xffffffffu, chosen, 0);
}

// (s, c) of item i + T from those of item i = s * E + c, without a division.
template <int T>
__device__ __forceinline__ void next_item(int& s, int& c, int E) {
    s += T / E;  // a constant over E: the compiler folds it when E is a power of two
    c += T % E;
    if (c >= E) {
        c -= E;
        s++;
    }
}

// The conv step of every (slot, channel) item of the block, one item per thread at a time (batching several
// items' loads per thread before their stores is slower: docs/performance.md). active = slots of this block
// in use.
template <int T>
__device__ __forceinline__ void conv_step(float* states, const long long* slotBase, long long off, const SfM1Layer& w,
                                          const float* xz, float* u, int S, int E, int K, int active) {
    const int keep = K - 1;
    for (int i = threadIdx.x, s = threadIdx.x / E, c = threadIdx.x % E; i < S * E; i += T, next_item<T>(s, c, E)) {
        float out = 0.f;
        if (s < active) {
            float* win = states + slotBase[s] + off + (long long)c * keep;
            const float* wc = w.convW + (long long)c * K;
            float x = xz[s * 2 * E + c];
            float acc = w.convB != nullptr ? w.convB[c] : 0.f;
            for (int k = 0; k < keep; k++) {
                float wk = win[k];
                acc = fmaf(wc[k], wk, acc);
                if (k > 0) {
                    win[k - 1] = wk;  // shift as we go: win[k - 1] was read one iteration ago
                }
            }
            acc = fmaf(wc[keep], x, acc);
            out = sf_silu(acc);
            if (keep > 0) {
                win[keep - 1] = x;
            }
        }
        u[i] = out;
    }
}

// The selective state update of every (slot, channel) item: delta = softplus(dt_proj(x) + bias), decay and
// input, C contraction, D skip, SiLU(z) gate. vec: N a multiple of 4 and the state 16-byte aligned.
// dtT: dt_proj's transposed weight [R][round4(E)], staged in shared memory when WS.
template <int T, bool WS>
__device__ __forceinline__ void scan_step(float* states, const long long* slotBase, long long off, const SfM1Layer& w,
                                          const float* dtT, const float* xz, const float* u, const float* xd, int xw4,
                                          float* y, int S, int E, int N, int R, int active, bool vec) {
    const int e4 = sf_round4(E);
    for (int i = threadIdx.x, s = threadIdx.x / E, c = threadIdx.x % E; i < S * E; i += T, next_item<T>(s, c, E)) {
        float out = 0.f;
        if (s < active) {
            const float* xs = xd + s * xw4;
            float dt = 0.f;
            for (int r = 0; r < R; r++) {
                dt = fmaf(xs[r], ld1<WS>(dtT + (long long)r * e4 + c), dt);
            }
            float delta = sf_softplus(dt + w.dtBias[c]);
            float uc = u[i];
            float du = delta * uc;
            float* st = states + slotBase[s] + off + (long long)c * N;
            const float* a2 = w.A2 + (long long)c * N;
            const float* bv = xs + R;
            const float* cv = xs + R + N;
            float acc = 0.f;
            if (vec) {
                for (int n0 = 0; n0 < N; n0 += 4) {
                    float4 sv = *reinterpret_cast<const float4*>(st + n0);
                    float4 av = __ldg(reinterpret_cast<const float4*>(a2 + n0));
                    sv.x = fmaf(exp2f(delta * av.x), sv.x, du * bv[n0]);
                    sv.y = fmaf(exp2f(delta * av.y), sv.y, du * bv[n0 + 1]);
                    sv.z = fmaf(exp2f(delta * av.z), sv.z, du * bv[n0 + 2]);
                    sv.w = fmaf(exp2f(delta * av.w), sv.w, du * bv[n0 + 3]);
                    *reinterpret_cast<float4*>(st + n0) = sv;
                    acc = fmaf(sv.x, cv[n0], acc);
                    acc = fmaf(sv.y, cv[n0 + 1], acc);
                    acc = fmaf(sv.z, cv[n0 + 2], acc);
                    acc = fmaf(sv.w, cv[n0 + 3], acc);
                }
            } else {
                for (int n = 0; n < N; n++) {
                    float v = fmaf(exp2f(delta * a2[n]), st[n], du * bv[n]);
                    st[n] = v;
                    acc = fmaf(v, cv[n], acc);
                }
            }
            out = (acc + w.D[c] * uc) * sf_silu(xz[s * 2 * E + E + c]);
        }
        y[i] = out;
    }
}

}  // namespace sf_gen

// grid (ceil(count / S)), block T threads, dynamic shared memory (see Mamba1Generator.sharedBytes): when WS,
// first the staged weights, A: D * max(wstride(round4(2E), D), wstride(round4(V), D)) floats (in_proj, or
// the LM head after the last layer), B: E * wstride(XW4, E) + R * round4(E) + E * wstride(round4(D), E)
// floats (x_proj, dt_proj, out_proj); then S * (2D + max(2E + E + XW4 + E, V4)) floats, S ints (tokens),
// S longs (rng), S longs (slot offsets), and for sampling (T / 32) * VP (ints + doubles).
// sampleMode 0: greedy argmax; 1: temperature / top-k / top-p with rng[b] (advanced and written back).
// outTokens [count][steps]: the token chosen at each step.
// WS: each dense weight is copied into shared memory (cp.async) one phase or more ahead of its use - the
// next in_proj (or the LM head) while the conv / x_proj / scan / out_proj run, a layer's x_proj, dt_proj and
// out_proj while its norm and in_proj run - so the dense phases read shared memory instead of waiting on
// L2. Same products in the same order as without WS: the results are identical.
// SHAPE 1: the audio / mu-law generator's shape (hidden 64, inner 128, state 16, dt rank 4, conv 4, vocab
// 256) as compile-time constants, so loop counts, K splits, tile widths and strides fold (the caller checks
// that the model has this shape); 0: any shape. The arithmetic is the same either way.
template <int MAXSPT, int KB, int T, bool WS, int SHAPE>
__device__ __forceinline__ void m1_generate_body(const SfM1Layer* __restrict__ layersW, int layers, const float* __restrict__ emb,
            const float* __restrict__ normF, const float* __restrict__ lmT, const int* __restrict__ firstTokens,
            const int* __restrict__ slots, int count, int steps, float* __restrict__ states, long long stateFloats,
            long long layerState, int D_, int E_, int N_, int R_, int K_, int V_, float eps, int S, int sampleMode,
            double invT, int topK, float topP, int VP_, unsigned long long* __restrict__ rng,
            int* __restrict__ outTokens) {
    constexpr int WARPS = T / 32;
    const int D = SHAPE == 1 ? 64 : D_;
    const int E = SHAPE == 1 ? 128 : E_;
    const int N = SHAPE == 1 ? 16 : N_;
    const int R = SHAPE == 1 ? 4 : R_;
    const int K = SHAPE == 1 ? 4 : K_;
    const int V = SHAPE == 1 ? 256 : V_;
    const int VP = SHAPE == 1 ? 256 : VP_;
    extern __shared__ __align__(16) float sfGenSmem[];
    const int xw = R + 2 * N;
    const int xw4 = sf_round4(xw);
    const int e4 = sf_round4(E);
    const int mix = 2 * E + E + xw4 + E;
    const int region = max(mix, sf_round4(V));
    // Row strides of the dense weights as the dense phases read them (staged or in global memory).
    const int ldsIn = WS ? sf_gen::wstride(sf_round4(2 * E), D) : sf_round4(2 * E);
    const int ldsLm = WS ? sf_gen::wstride(sf_round4(V), D) : sf_round4(V);
    const int ldsX = WS ? sf_gen::wstride(xw4, E) : xw4;
    const int ldsOut = WS ? sf_gen::wstride(sf_round4(D), E) : sf_round4(D);
    float* wA = sfGenSmem;                                   // [D][max(ldsIn, ldsLm)] (WS)
    float* wX = wA + (WS ? D * max(ldsIn, ldsLm) : 0);       // [E][ldsX] (WS)
    float* wDt = wX + (WS ? E * ldsX : 0);                   // [R][e4] (WS)
    float* wOut = wDt + (WS ? R * e4 : 0);                   // [E][ldsOut] (WS)
    float* h = wOut + (WS ? E * ldsOut : 0);                 // [S][D] residual
    float* xn = h + S * D;         // [S][D] normed
    float* work = xn + S * D;      // [S][region]: the mixer's scratch, then the logits
    int* tok = reinterpret_cast<int*>(work + S * region);                 // [S]
    unsigned long long* rs = reinterpret_cast<unsigned long long*>(tok + ((S + 1) & ~1));  // [S], 8-aligned
    long long* slotBase = reinterpret_cast<long long*>(rs + S);           // [S] slot * stateFloats
    int* sortIdx = reinterpret_cast<int*>(slotBase + S);                  // [WARPS][VP]
    double* sortProb = reinterpret_cast<double*>(sortIdx + WARPS * VP);   // [WARPS][VP]
    float* xz = work;              // [S][2E]
    float* u = xz + S * 2 * E;     // [S][E]
    float* xd = u + S * E;         // [S][xw4]
    float* y = xd + S * xw4;       // [S][E]
    float* lg = work;              // [S][V] (after the layers)
    const int ldl = region;
    const int b0 = blockIdx.x * S;
    const int tid = threadIdx.x;
    const int keep = K - 1;
    const int warp = tid >> 5, lane = tid & 31;
    const long long ssmOff = (long long)E * keep;
    const bool vecState = (N & 3) == 0 && (stateFloats & 3) == 0 && (layerState & 3) == 0 && (ssmOff & 3) == 0
                          && (reinterpret_cast<unsigned long long>(states) & 15) == 0;

    if (WS) {
        sf_gen::stage<T>(wA, ldsIn, layersW[0].inT, D, sf_round4(2 * E));
        sf_gen::stage_commit();
    }
    for (int s = tid; s < S; s += T) {
        int b = b0 + s;
        tok[s] = b < count ? firstTokens[b] : 0;
        rs[s] = (b < count && sampleMode != 0) ? rng[b] : 0ULL;
        slotBase[s] = b < count ? (long long)slots[b] * stateFloats : 0LL;
    }
    __syncthreads();

    for (int step = 0; step < steps; step++) {
        for (int i = tid; i < S * D; i += T) {
            int s = i / D;
            h[i] = b0 + s < count ? emb[(long long)tok[s] * D + (i - s * D)] : 0.f;
        }
        __syncthreads();
        for (int layer = 0; layer < layers; layer++) {
            const SfM1Layer w = layersW[layer];
            if (WS) {
                // B (free since the last out_proj) <- this layer's x_proj, dt_proj, out_proj; A (in_proj) must be in.
                sf_gen::stage<T>(wX, ldsX, w.xT, E, xw4);
                sf_gen::stage<T>(wDt, e4, w.dtT, R, e4);
                sf_gen::stage<T>(wOut, ldsOut, w.outT, E, sf_round4(D));
                sf_gen::stage_commit();
                sf_gen::stage_wait<1>();
            }
            // This layer's state of the block's slots towards L2 (it is in HBM when thousands of slots
            // exceed L2) while the norm and in_proj run.
            const int lines = (int)((layerState + 31) / 32);
            for (int s = 0; s < S && b0 + s < count; s++) {
                const float* base = states + slotBase[s] + layer * layerState;
                for (int line = tid; line < lines; line += T) {
                    asm volatile("prefetch.global.L2 [%0];" ::"l"(base + line * 32));
                }
            }
            sf_rmsnorm_rows<T>(h, w.norm, eps, xn, D, S);
            __syncthreads();
            sf_gen::dense<MAXSPT, KB, T, WS>(xn, D, D, WS ? wA : w.inT, ldsIn, 2 * E, w.inBias, xz, 2 * E, S, false);
            __syncthreads();
            if (WS) {
                // A (free now) <- the next layer's in_proj, or the LM head.
                if (layer + 1 < layers) {
                    sf_gen::stage<T>(wA, ldsIn, layersW[layer + 1].inT, D, sf_round4(2 * E));
                } else {
                    sf_gen::stage<T>(wA, ldsLm, lmT, D, sf_round4(V));
                }
                sf_gen::stage_commit();
            }
            // Each thread's conv windows and SSM states into L1 at once: the loops below store to the state
            // between loads, so without this each item's loads would wait for the previous item's.
            for (int i = tid, s = tid / E, c = tid % E; i < S * E; i += T) {
                if (b0 + s < count) {
                    const float* base = states + slotBase[s] + layer * layerState;
                    if (keep > 0) {
                        asm volatile("prefetch.global.L1 [%0];" ::"l"(base + (long long)c * keep));
                    }
                    const float* st = base + ssmOff + (long long)c * N;
                    asm volatile("prefetch.global.L1 [%0];" ::"l"(st));
                    asm volatile("prefetch.global.L1 [%0];" ::"l"(st + N - 1));
                }
                sf_gen::next_item<T>(s, c, E);
            }
            // Conv step over the window [E, K-1] (oldest first) and the new input, SiLU; window shifted.
            sf_gen::conv_step<T>(states, slotBase, layer * layerState, w, xz, u, S, E, K, count - b0);
            if (WS) {
                sf_gen::stage_wait<1>();  // B in (A may still be in flight)
            }
            __syncthreads();
            sf_gen::dense<MAXSPT, KB, T, WS>(u, E, E, WS ? wX : w.xT, ldsX, xw, nullptr, xd, xw4, S, false);
            __syncthreads();
            // dt_proj, softplus, the selective state update, C contraction, D skip, SiLU(z) gate.
            sf_gen::scan_step<T, WS>(states, slotBase, layer * layerState + ssmOff, w, WS ? wDt : w.dtT, xz, u, xd,
                                     xw4, y, S, E, N, R, count - b0, vecState);
            __syncthreads();
            sf_gen::dense<MAXSPT, KB, T, WS>(y, E, E, WS ? wOut : w.outT, ldsOut, D, w.outBias, h, D, S, true);
            __syncthreads();
        }
        if (WS) {
            sf_gen::stage_wait<0>();  // the LM head in A (visible after the norm's barrier)
        }
        sf_rmsnorm_rows<T>(h, normF, eps, xn, D, S);
        __syncthreads();
        sf_gen::dense<MAXSPT, KB, T, WS>(xn, D, D, WS ? wA : lmT, ldsLm, V, nullptr, lg, ldl, S, false);
        __syncthreads();
        if (WS && step + 1 < steps) {
            sf_gen::stage<T>(wA, ldsIn, layersW[0].inT, D, sf_round4(2 * E));  // the next step's first in_proj
            sf_gen::stage_commit();
        }
        for (int s = warp; s < S; s += WARPS) {
            int b = b0 + s;
            if (b >= count) {
                continue;
            }
            int t = sampleMode == 0 ? sf_gen::argmax(lg + s * ldl, V)
                                    : sf_gen::sample(lg + s * ldl, V, VP, invT, topK, topP, rs[s],
                                                     sortIdx + warp * VP, sortProb + warp * VP);
            if (lane == 0) {
                tok[s] = t;
                outTokens[(long long)b * steps + step] = t;
            }
        }
        __syncthreads();
    }
    if (sampleMode != 0) {
        for (int s = tid; s < S; s += T) {
            if (b0 + s < count) {
                rng[b0 + s] = rs[s];
            }
        }
    }
}

#define SF_GEN_PARAMS                                                                                           \
    const SfM1Layer *__restrict__ layersW, int layers, const float *__restrict__ emb, const float *__restrict__ normF, \
        const float *__restrict__ lmT, const int *__restrict__ firstTokens, const int *__restrict__ slots, int count,   \
        int steps, float *__restrict__ states, long long stateFloats, long long layerState, int D, int E, int N, int R, \
        int K, int V, float eps, int S, int sampleMode, double invT, int topK, float topP, int VP,                      \
        unsigned long long *__restrict__ rng, int *__restrict__ outTokens
#define SF_GEN_ARGS                                                                                              \
    layersW, layers, emb, normF, lmT, firstTokens, slots, count, steps, states, stateFloats, layerState, D, E, N, R, K, \
        V, eps, S, sampleMode, invT, topK, topP, VP, rng, outTokens

// grid (ceil(count / S)), block 256: 2 blocks per SM, slot tiles up to 8 wide, weight loads in batches of 8
// from L2. (Three blocks per SM, which caps registers at 80 and tiles at 4, is slower at large slot counts:
// docs/performance.md.)
extern "C" __global__ void __launch_bounds__(256, 2) m1_generate(SF_GEN_PARAMS) {
    m1_generate_body<8, 8, 256, false, 0>(SF_GEN_ARGS);
}

// grid (ceil(count / S)), block 512: one block per SM (the same 16 warps), weights from L2 as m1_generate.
extern "C" __global__ void __launch_bounds__(512, 1) m1_generate_512(SF_GEN_PARAMS) {
    m1_generate_body<8, 8, 512, false, 0>(SF_GEN_ARGS);
}

// grid (ceil(count / S)), block 512: one block per SM, dense weights staged in shared memory (WS above).
extern "C" __global__ void __launch_bounds__(512, 1) m1_generate_ws(SF_GEN_PARAMS) {
    m1_generate_body<8, 8, 512, true, 0>(SF_GEN_ARGS);
}

// m1_generate and m1_generate_ws for the audio shape (SHAPE 1 above): D, E, N, R, K, V, VP must match it.
extern "C" __global__ void __launch_bounds__(256, 2) m1_generate_a(SF_GEN_PARAMS) {
    m1_generate_body<8, 8, 256, false, 1>(SF_GEN_ARGS);
}

extern "C" __global__ void __launch_bounds__(512, 1) m1_generate_ws_a(SF_GEN_PARAMS) {
    m1_generate_body<8, 8, 512, true, 1>(SF_GEN_ARGS);
}

// dst[c][r] = src[r][c] for src [rows][cols] row-major, dst rows padded to ldd (pad left as filled).
// grid (ceil(rows * cols / 256)), block 256
extern "C" __global__ void transpose_pad(const float* __restrict__ src, int rows, int cols, float* __restrict__ dst,
                                         int ldd) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < (long long)rows * cols) {
        int r = (int)(i / cols);
        int c = (int)(i - (long long)r * cols);
        dst[(long long)c * ldd + r] = src[i];
    }
}
