package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Cuda.check;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * One device allocation. Kernels get raw addresses ({@link #address}, plus byte offsets computed in
 * Java), copies get {@link CUdeviceptr}s ({@link #at}).
 */
public final class DeviceBuffer implements AutoCloseable {
    /** A CUdeviceptr whose raw address Java can read (the field is protected in JCuda). */
    private static final class Ptr extends CUdeviceptr {
        long address() {
            return getNativePointer();
        }
    }

    private final Ptr ptr = new Ptr();
    private final long bytes;
    private final String what;
    private boolean freed;

    private DeviceBuffer(long bytes, String what) {
        this.bytes = bytes;
        this.what = what;
        check(JCudaDriver.cuMemAlloc(ptr, Math.max(bytes, 16)), "cuMemAlloc(" + bytes + " bytes for " + what + ")");
    }

    /** Allocates {@code bytes} on the current device; {@code what} names it in errors. */
    public static DeviceBuffer allocate(long bytes, String what) {
        return new DeviceBuffer(bytes, what);
    }

    /** Allocates {@code count} floats. */
    public static DeviceBuffer floats(long count, String what) {
        return new DeviceBuffer(count * Sizeof.FLOAT, what);
    }

    /** Allocates {@code count} ints. */
    public static DeviceBuffer ints(long count, String what) {
        return new DeviceBuffer(count * Sizeof.INT, what);
    }

    /** Allocates a buffer for {@code data} and copies it there. */
    public static DeviceBuffer upload(float[] data, String what) {
        DeviceBuffer b = floats(data.length, what);
        b.write(data, 0, data.length, 0);
        return b;
    }

    /** Size in bytes. */
    public long bytes() {
        return bytes;
    }

    /** Raw device address of the first byte. */
    public long address() {
        return ptr.address();
    }

    /** Raw device address of float (or int) element {@code index}. */
    public long at4(long index) {
        return ptr.address() + 4 * index;
    }

    /** A pointer {@code byteOffset} bytes into the buffer. */
    public CUdeviceptr at(long byteOffset) {
        return byteOffset == 0 ? ptr : ptr.withByteOffset(byteOffset);
    }

    /** Synchronous copy of {@code count} floats from {@code src[srcOff..]} to element {@code dstIndex}. */
    public void write(float[] src, int srcOff, int count, long dstIndex) {
        check(JCudaDriver.cuMemcpyHtoD(at(4 * dstIndex), Pointer.to(src).withByteOffset(4L * srcOff), 4L * count),
                "cuMemcpyHtoD(" + count + " floats to " + what + ")");
    }

    /** Copies {@code count} ints of {@code src} to element {@code dstIndex} of the buffer. */
    public void write(int[] src, int srcOff, int count, long dstIndex) {
        check(JCudaDriver.cuMemcpyHtoD(at(4 * dstIndex), Pointer.to(src).withByteOffset(4L * srcOff), 4L * count),
                "cuMemcpyHtoD(" + count + " ints to " + what + ")");
    }

    /** Copies {@code src} to the start of the buffer. */
    public void write(long[] src) {
        check(JCudaDriver.cuMemcpyHtoD(at(0), Pointer.to(src), 8L * src.length), "cuMemcpyHtoD(" + src.length + " longs to " + what + ")");
    }

    /** Synchronous copy of {@code count} longs from {@code src[0..]} to the start of the buffer. */
    public void write(long[] src, int count) {
        check(JCudaDriver.cuMemcpyHtoD(at(0), Pointer.to(src), 8L * count), "cuMemcpyHtoD(" + count + " longs to " + what + ")");
    }

    /** Synchronous copy of {@code count} longs from the start of the buffer into {@code dst[0..]}. */
    public void read(long[] dst, int count) {
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), at(0), 8L * count), "cuMemcpyDtoH(" + count + " longs from " + what + ")");
    }

    /** Synchronous copy of {@code count} floats from element {@code srcIndex} into {@code dst[dstOff..]}. */
    public void read(long srcIndex, float[] dst, int dstOff, int count) {
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * dstOff), at(4 * srcIndex), 4L * count),
                "cuMemcpyDtoH(" + count + " floats from " + what + ")");
    }

    /** Copies {@code count} ints from element {@code srcIndex} of the buffer into {@code dst}. */
    public void read(long srcIndex, int[] dst, int dstOff, int count) {
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * dstOff), at(4 * srcIndex), 4L * count),
                "cuMemcpyDtoH(" + count + " ints from " + what + ")");
    }

    /** Copies {@code count} doubles from byte {@code srcByte} of the buffer into {@code dst}. */
    public void read(long srcByte, double[] dst, int dstOff, int count) {
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset(8L * dstOff), at(srcByte), 8L * count),
                "cuMemcpyDtoH(" + count + " doubles from " + what + ")");
    }

    /** Sets {@code count} 32-bit words from element {@code index} to {@code bits} (synchronous). */
    public void fill(long index, long count, int bits) {
        check(JCudaDriver.cuMemsetD32(at(4 * index), bits, count), "cuMemsetD32(" + count + " words of " + what + ")");
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            check(JCudaDriver.cuMemFree(ptr), "cuMemFree(" + what + ")");
        }
    }

    @Override
    public String toString() {
        return what + " (" + bytes + " bytes)";
    }
}
