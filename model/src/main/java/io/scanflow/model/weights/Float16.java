package io.scanflow.model.weights;

/**
 * IEEE 754 binary16 to float32 conversion (Java 17 has no {@code Float.float16ToFloat}).
 *
 * <p>Every half value is exactly representable as a float, so the conversion is exact:
 * subnormals become normal floats, infinities stay infinite, and NaN payloads are kept.
 */
final class Float16 {

    private Float16() {
    }

    /** Converts the 16 bits of a half-precision value to float. */
    static float toFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) { // infinity or NaN: all-ones float exponent, payload shifted up
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        if (exponent != 0) { // normal: rebias 15 -> 127
            return Float.intBitsToFloat(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
        }
        // zero or subnormal: mantissa * 2^-24, exact in float
        return Float.intBitsToFloat(sign | Float.floatToRawIntBits(mantissa * 0x1p-24f));
    }

    /** Bulk conversion through a table of all 65536 values, built once on first use. */
    static void toFloats(short[] src, int srcOffset, float[] dst, int dstOffset, int count) {
        float[] table = Table.VALUES;
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = table[src[srcOffset + i] & 0xFFFF];
        }
    }

    /** Holder so the 256 KiB table is only built when an F16 tensor is actually read. */
    private static final class Table {
        static final float[] VALUES = new float[1 << 16];

        static {
            for (int bits = 0; bits < VALUES.length; bits++) {
                VALUES[bits] = toFloat((short) bits);
            }
        }
    }
}
