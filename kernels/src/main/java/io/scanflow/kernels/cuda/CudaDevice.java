package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Cuda.check;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * One GPU as this JVM sees it: its primary context and the kernel module, loaded once per device per JVM
 * from the packaged fatbin and shared by every engine on the device.
 */
public final class CudaDevice {
    private static final Map<Integer, CudaDevice> DEVICES = new HashMap<>();

    private final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final String name;
    private final int multiprocessors;
    private final int computeMajor;
    private final int computeMinor;

    private CudaDevice(int ordinal) {
        this.ordinal = ordinal;
        check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain(" + ordinal + ")");
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        byte[] raw = new byte[256];
        check(JCudaDriver.cuDeviceGetName(raw, raw.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < raw.length && raw[len] != 0) {
            len++;
        }
        this.name = new String(raw, 0, len, StandardCharsets.US_ASCII);
        this.multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        this.computeMajor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        this.computeMinor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        check(JCudaDriver.cuModuleLoadData(module, Fatbin.load()),
                "cuModuleLoadData(scanflow.fatbin) on " + name + " (sm_" + computeMajor + computeMinor + ")");
    }

    /** The device, its context current on the calling thread; the first call per device loads the kernels. */
    public static CudaDevice get(int ordinal) {
        CudaAvailability a = CudaAvailability.get();
        if (!a.available()) {
            throw new IllegalStateException(a.toString());
        }
        if (ordinal < 0 || ordinal >= a.deviceCount()) {
            throw new IllegalArgumentException("CUDA device " + ordinal + " does not exist (" + a.deviceCount() + " found)");
        }
        CudaDevice d;
        synchronized (DEVICES) {
            d = DEVICES.get(ordinal);
            if (d == null) {
                d = new CudaDevice(ordinal);
                DEVICES.put(ordinal, d);
            }
        }
        d.makeCurrent();
        return d;
    }

    /** Binds this device's context to the calling thread (Flink may call from different threads over time). */
    public void makeCurrent() {
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent(device " + ordinal + ")");
    }

    synchronized CUfunction function(String kernel) {
        CUfunction f = functions.get(kernel);
        if (f == null) {
            f = new CUfunction();
            check(JCudaDriver.cuModuleGetFunction(f, module, kernel), "cuModuleGetFunction(" + kernel + ")");
            functions.put(kernel, f);
        }
        return f;
    }

    int attribute(int attr) {
        int[] v = new int[1];
        check(JCudaDriver.cuDeviceGetAttribute(v, attr, device), "cuDeviceGetAttribute(" + attr + ")");
        return v[0];
    }

    /** Device ordinal. */
    public int ordinal() {
        return ordinal;
    }

    /** Device name as the driver reports it. */
    public String name() {
        return name;
    }

    /** Streaming multiprocessors. */
    public int multiprocessors() {
        return multiprocessors;
    }

    /** Compute capability, e.g. {@code 9.0}. */
    public String computeCapability() {
        return computeMajor + "." + computeMinor;
    }

    /** Free and total device memory in bytes. */
    public long[] memoryInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        makeCurrent();
        check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[] {free[0], total[0]};
    }

    @Override
    public String toString() {
        return name + " (device " + ordinal + ", sm_" + computeMajor + computeMinor + ", " + multiprocessors + " SMs)";
    }
}
