package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Cuda.check;

import io.scanflow.kernels.CudaTuning;
import java.util.ArrayList;
import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * Launches kernels on one stream and turns every failure into a {@link CudaException} that names the
 * kernel, its launch shape and the driver's error. Launch errors show at once; faults inside a kernel
 * show at the next synchronisation, which {@link #sync} reports together with the last kernel launched
 * ({@link CudaTuning#syncEachLaunch} synchronises after every launch to name the faulting kernel exactly).
 * Holds the engine's {@link CudaTuning}, which the typed launches and the mixers read.
 */
final class Launcher implements AutoCloseable {
    /** Floats of the split-K scratch: enough for 2 x SMs tiles of 128 x 128 partial sums. */
    private static final int SPLIT_TILES_PER_SM = 2;

    /** Dynamic shared memory of the 3xTF32 kernels: 4 stages of (BM + BN) rows x 16 floats. */
    private static int tf32x3SharedBytes(int bm, int bn) {
        return 4 * (bm + bn) * 16 * Float.BYTES;
    }

    /** Widest layer the narrow 3xTF32 tile (64 x 80, four blocks per SM) takes: x_proj of the usual shapes. */
    static final int NARROW_N = 80;
    private static final int NARROW_BLOCKS_PER_SM = 4;

    final CudaDevice device;
    final CUstream stream;
    private String lastLaunch = "none";
    private boolean capturing;
    private CudaTuning tuning;
    private final DeviceBuffer splitScratch;
    private final long splitCapacity;

    Launcher(CudaDevice device, CUstream stream, CudaTuning tuning) {
        this.device = device;
        this.stream = stream;
        this.tuning = tuning;
        this.splitCapacity = (long) SPLIT_TILES_PER_SM * (device.multiprocessors() + 2) * 128 * 128;
        this.splitScratch = DeviceBuffer.floats(splitCapacity, "split-K partial sums");
        try {
            allowSharedMemory(tuning.gemmBigTile(), tf32x3SharedBytes(128, 128));
        } catch (RuntimeException e) {
            splitScratch.close();
            throw e;
        }
    }

    /** The choices the launches and mixers follow now. */
    CudaTuning tuning() {
        return tuning;
    }

    /**
     * Tests and benchmarks: switches the choices of later launches on this stream (the engine reads
     * {@link CudaTuning#deviceGenerate} only when it is made).
     */
    void setTuning(CudaTuning t) {
        if (!t.gemmBigTile().equals(tuning.gemmBigTile())) {
            allowSharedMemory(t.gemmBigTile(), tf32x3SharedBytes(128, 128));
        }
        this.tuning = t;
    }

    @Override
    public void close() {
        splitScratch.close();
    }

    /** Kernel arguments in declaration order; pointers are raw device addresses (0 for null). */
    static final class Args {
        private final List<NativePointerObject> list = new ArrayList<>(24);

        Args ptr(long address) {
            list.add(Pointer.to(new long[] {address}));
            return this;
        }

        Args i(int v) {
            list.add(Pointer.to(new int[] {v}));
            return this;
        }

        Args l(long v) {
            list.add(Pointer.to(new long[] {v}));
            return this;
        }

        Args f(float v) {
            list.add(Pointer.to(new float[] {v}));
            return this;
        }

        Args d(double v) {
            list.add(Pointer.to(new double[] {v}));
            return this;
        }

        Pointer pointer() {
            return Pointer.to(list.toArray(new NativePointerObject[0]));
        }
    }

    static Args args() {
        return new Args();
    }

    void launch(String kernel, int gx, int gy, int gz, int bx, int sharedBytes, Args args) {
        if (gx <= 0 || gy <= 0 || gz <= 0) {
            throw new IllegalArgumentException("kernel " + shape(kernel, gx, gy, gz, bx, sharedBytes) + ": empty grid");
        }
        CUfunction f = device.function(kernel);
        int r = JCudaDriver.cuLaunchKernel(f, gx, gy, gz, bx, 1, 1, sharedBytes, stream, args.pointer(), null);
        lastLaunch = shape(kernel, gx, gy, gz, bx, sharedBytes);
        if (r != CUresult.CUDA_SUCCESS) {
            throw new CudaException("kernel " + lastLaunch + ": " + Cuda.describe(r), r);
        }
        if (tuning.syncEachLaunch() && !capturing) {
            sync("kernel " + lastLaunch);
        }
    }

    /** Allows a kernel more than 48 KB of dynamic shared memory. */
    void allowSharedMemory(String kernel, int bytes) {
        check(JCudaDriver.cuFuncSetAttribute(device.function(kernel),
                CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                "cuFuncSetAttribute(" + kernel + ", max dynamic shared memory " + bytes + ")");
    }

    /** Waits for the stream; an asynchronous fault is reported with {@code what} and the last launch. */
    void sync(String what) {
        int r = JCudaDriver.cuStreamSynchronize(stream);
        if (r != CUresult.CUDA_SUCCESS) {
            throw new CudaException(what + " failed: " + Cuda.describe(r) + " (last kernel launched: " + lastLaunch + ")", r);
        }
    }

    void setCapturing(boolean capturing) {
        this.capturing = capturing;
    }

    String lastLaunch() {
        return lastLaunch;
    }

    private static String shape(String kernel, int gx, int gy, int gz, int bx, int smem) {
        return kernel + " grid(" + gx + "," + gy + "," + gz + ") block(" + bx + ",1,1) smem " + smem;
    }

    static int ceilDiv(long a, long b) {
        return Math.toIntExact((a + b - 1) / b);
    }

    // ---- typed launches shared by the models -------------------------------------------------------

    /**
     * C[m, n] (+)= sum_k A[m, k] W[n, k] + bias[n]; A [M, K] with row stride lda, W [N, K] row-major
     * (stride ldw), C [M, N] with row stride ldc. Up to 8 rows: the warp-per-column kernel (FFMA); more: the
     * tile kernels of {@link CudaTuning#gemm}, 128-row tiles once they fill the GPU, else 64-row tiles
     * (3xTF32 layers of at most {@link #NARROW_N} columns: 64 x 80 tiles), and K split over several blocks
     * (reduced in a fixed order) when even those leave SMs idle. The 3xTF32 kernels take operands whose K and
     * row strides are multiples of 4 floats and whose bases are 16-byte aligned; other operands go to the FFMA
     * tiles. 3xTF32 sums each stage of 16 k's apart and adds it with a rounded float32 add, no less accurate
     * than the FFMA tiles (CudaKernelsTest checks both against float64).
     */
    void gemm(long a, int lda, long w, int ldw, long bias, long c, int ldc, int m, int n, int k, boolean accumulate) {
        gemm(tuning.gemm(), a, lda, w, ldw, bias, c, ldc, m, n, k, accumulate);
    }

    /** {@link #gemm} with the dense-layer kernels of {@code mode}. */
    void gemm(CudaTuning.Gemm mode, long a, int lda, long w, int ldw, long bias, long c, int ldc, int m, int n, int k,
              boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (m <= 8) {
            boolean vec4 = k % 4 == 0 && lda % 4 == 0 && ldw % 4 == 0 && a % 16 == 0 && w % 16 == 0;
            launch("gemv_nt", ceilDiv(n, 8), 1, 1, 256, 0, args().ptr(a).i(lda).ptr(w).i(ldw).ptr(bias)
                    .ptr(c).i(ldc).i(m).i(n).i(k).i(accumulate ? 1 : 0).i(vec4 ? 1 : 0));
            return;
        }
        boolean tf32x3 = mode == CudaTuning.Gemm.TF32X3 && k % 4 == 0 && lda % 4 == 0 && ldw % 4 == 0 && a % 16 == 0
                && w % 16 == 0;
        int sms = device.multiprocessors();
        boolean narrow = tf32x3 && n <= NARROW_N;
        boolean big = !narrow && (long) ceilDiv(m, 128) * ceilDiv(n, 128) >= sms;
        int bm = big ? 128 : 64;
        int bn = narrow ? NARROW_N : tf32x3 ? 128 : bm;
        long tiles = (long) ceilDiv(m, bm) * ceilDiv(n, bn);
        int splits = 1;
        if (tiles < sms && k >= 256) {
            // narrow tiles: as many K slices as keep every block resident at once (four per SM), each at least
            // 256 k's (with a tile per SM or more, splitting only adds the partial sums' reduction)
            splits = narrow ? (int) Math.max(1, Math.min(NARROW_BLOCKS_PER_SM * sms / tiles, k / 256))
                    : (int) Math.min((2L * sms + tiles - 1) / tiles, k / 128);
        }
        splits = (int) Math.max(1, Math.min(splits, splitCapacity / ((long) m * n)));
        int kChunk = k;
        if (splits > 1) {
            kChunk = (ceilDiv(k, splits) + 15) / 16 * 16;
            splits = ceilDiv(k, kChunk);
        }
        Args args = args().ptr(a).i(lda).ptr(w).i(ldw).ptr(bias).ptr(c).i(ldc).i(m).i(n).i(k).i(accumulate ? 1 : 0)
                .i(kChunk).ptr(splits > 1 ? splitScratch.address() : 0L);
        if (tf32x3) {
            launch(narrow ? "tf32x3_nt_64x80" : big ? tuning.gemmBigTile() : "tf32x3_nt_" + bm, ceilDiv(n, bn), ceilDiv(m, bm), splits, 128,
                    tf32x3SharedBytes(bm, bn), args);
        } else {
            launch("sgemm_nt_" + bm, ceilDiv(n, bn), ceilDiv(m, bm), splits, 256, 0, args);
        }
        if (splits > 1) {
            launch("splitk_reduce", ceilDiv((long) m * n, 256), 1, 1, 256, 0, args().ptr(splitScratch.address()).i(splits)
                    .i(m).i(n).ptr(bias).ptr(c).i(ldc).i(accumulate ? 1 : 0));
        }
    }

    void embed(long tokens, long embedding, long out, int rows, int d) {
        launch("embed_rows", rows, 1, 1, 128, 0, args().ptr(tokens).ptr(embedding).ptr(out).i(rows).i(d));
    }

    /** y[r] = RMSNorm(x[rowIndex[r]] or x[r]) * weight. */
    void rmsnorm(long x, long rowIndex, long weight, float eps, long y, int rows, int d) {
        launch("rmsnorm_rows", rows, 1, 1, 128, 0, args().ptr(x).ptr(rowIndex).ptr(weight).f(eps).ptr(y).i(rows).i(d));
    }

    /** Threads per channel for the scan kernels: 4 states per thread, a power of two, at most 32. */
    static int threadsPerChannel(int stateSize) {
        int need = (stateSize + 3) / 4;
        int tpc = 1;
        while (tpc < need) {
            tpc <<= 1;
        }
        if (tpc > 32) {
            throw new IllegalArgumentException("state size " + stateSize + " is above the CUDA backend's limit of 128");
        }
        return tpc;
    }
}
