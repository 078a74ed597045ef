package io.scanflow.model.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.ShortBuffer;

/** Turns little-endian tensor bytes of any supported dtype into floats, in bulk. */
final class TensorDecoder {

    /** Elements converted per staging-array pass for the non-F32 types. */
    private static final int CHUNK = 8192;

    private TensorDecoder() {
    }

    /**
     * Decodes {@code count} elements from the start of {@code bytes} into {@code dst[offset..]}.
     * The buffer's byte order is ignored; safetensors data is always little-endian.
     */
    static void decode(DType dtype, ByteBuffer bytes, float[] dst, int offset, int count) {
        ByteBuffer le = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> le.asFloatBuffer().get(dst, offset, count);
            case F64 -> decodeF64(le.asDoubleBuffer(), dst, offset, count);
            case F16 -> decodeF16(le.asShortBuffer(), dst, offset, count);
            case BF16 -> decodeBf16(le.asShortBuffer(), dst, offset, count);
            default -> throw new AssertionError(dtype);
        }
    }

    private static void decodeF64(DoubleBuffer src, float[] dst, int offset, int count) {
        double[] staging = new double[Math.min(count, CHUNK)];
        for (int done = 0; done < count;) {
            int n = Math.min(staging.length, count - done);
            src.get(staging, 0, n);
            for (int i = 0; i < n; i++) {
                dst[offset + done + i] = (float) staging[i];
            }
            done += n;
        }
    }

    private static void decodeF16(ShortBuffer src, float[] dst, int offset, int count) {
        short[] staging = new short[Math.min(count, CHUNK)];
        for (int done = 0; done < count;) {
            int n = Math.min(staging.length, count - done);
            src.get(staging, 0, n);
            Float16.toFloats(staging, 0, dst, offset + done, n);
            done += n;
        }
    }

    /** BF16 is the upper half of a float32, so widening is a shift. */
    private static void decodeBf16(ShortBuffer src, float[] dst, int offset, int count) {
        short[] staging = new short[Math.min(count, CHUNK)];
        for (int done = 0; done < count;) {
            int n = Math.min(staging.length, count - done);
            src.get(staging, 0, n);
            for (int i = 0; i < n; i++) {
                dst[offset + done + i] = Float.intBitsToFloat(staging[i] << 16);
            }
            done += n;
        }
    }
}
