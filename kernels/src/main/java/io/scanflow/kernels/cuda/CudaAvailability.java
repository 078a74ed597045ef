package io.scanflow.kernels.cuda;

import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Whether this JVM can run the CUDA backend, and if not, why: probed once (JCuda's classes and native
 * library, the driver library, {@code cuInit}, a device, the packaged fatbin).
 *
 * <p>The system property {@code scanflow.cuda.disable=true} makes CUDA unavailable on purpose (tests of
 * the fallback on GPU machines; forcing the CPU backend in production).
 */
public final class CudaAvailability {
    /** System property: {@code true} keeps the CUDA backend off even where a GPU is usable. */
    public static final String DISABLE_PROPERTY = "scanflow.cuda.disable";

    private static volatile CudaAvailability probed;

    private final boolean available;
    private final String reason;
    private final int devices;

    private CudaAvailability(boolean available, String reason, int devices) {
        this.available = available;
        this.reason = reason;
        this.devices = devices;
    }

    /** The cached probe (the disable property is read on every call, so tests can flip it). */
    public static CudaAvailability get() {
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            return new CudaAvailability(false, "disabled by -D" + DISABLE_PROPERTY + "=true", 0);
        }
        CudaAvailability p = probed;
        if (p == null) {
            synchronized (CudaAvailability.class) {
                p = probed;
                if (p == null) {
                    p = probe();
                    probed = p;
                }
            }
        }
        return p;
    }

    /** Whether the CUDA backend can run in this JVM. */
    public boolean available() {
        return available;
    }

    /** Why CUDA cannot be used (empty when it can). */
    public String reason() {
        return reason;
    }

    /** CUDA devices found (0 when unavailable). */
    public int deviceCount() {
        return devices;
    }

    private static CudaAvailability probe() {
        if (Fatbin.class.getResource(Fatbin.RESOURCE) == null) {
            return new CudaAvailability(false, "the kernel fatbin " + Fatbin.RESOURCE + " is not in this build", 0);
        }
        int result;
        try {
            JCudaDriver.setExceptionsEnabled(false);
            result = JCudaDriver.cuInit(0);
        } catch (LinkageError e) {
            // NoClassDefFoundError (no JCuda jar) or UnsatisfiedLinkError (no natives jar for this platform,
            // or no libcuda.so.1: no NVIDIA driver installed).
            return new CudaAvailability(false, "the CUDA driver could not be loaded through JCuda ("
                    + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()) + ")", 0);
        }
        if (result != CUresult.CUDA_SUCCESS) {
            return new CudaAvailability(false, "cuInit failed: " + Cuda.describe(result), 0);
        }
        int[] count = new int[1];
        result = JCudaDriver.cuDeviceGetCount(count);
        if (result != CUresult.CUDA_SUCCESS) {
            return new CudaAvailability(false, "cuDeviceGetCount failed: " + Cuda.describe(result), 0);
        }
        if (count[0] == 0) {
            return new CudaAvailability(false, "the driver reports no CUDA device", 0);
        }
        CUdevice dev = new CUdevice();
        result = JCudaDriver.cuDeviceGet(dev, 0);
        if (result != CUresult.CUDA_SUCCESS) {
            return new CudaAvailability(false, "cuDeviceGet(0) failed: " + Cuda.describe(result), 0);
        }
        return new CudaAvailability(true, "", count[0]);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public String toString() {
        return available ? "CUDA available (" + devices + " device" + (devices == 1 ? "" : "s") + ")"
                : "CUDA unavailable: " + reason;
    }
}
