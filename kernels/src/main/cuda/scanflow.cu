// ScanFlow CUDA kernels: one translation unit, compiled by kernels/build-fatbin.sh into the fatbin
// that the jar carries (io/scanflow/kernels/cuda/scanflow.fatbin) and loads with cuModuleLoadData.
// Every entry point is extern "C" so the Java side finds it by its plain name.
#include "common.cuh"
#include "gemm.cuh"
#include "norm.cuh"
#include "conv.cuh"
#include "mamba1.cuh"
#include "mamba1_scan.cuh"
#include "mamba1_generate.cuh"
#include "mamba2.cuh"
#include "sampling.cuh"

// A plain device-to-device copy, float4 wide, for the bandwidth ceiling measured next to the benchmarks.
// grid-stride; n4 = number of float4
extern "C" __global__ void copy_f4(const float4* __restrict__ src, float4* __restrict__ dst, long long n4) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (; i < n4; i += stride) {
        dst[i] = src[i];
    }
}
