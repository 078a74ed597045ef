package io.scanflow.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Float16Test {

    /** The textbook definition of binary16, evaluated in double. */
    private static double reference(int bits) {
        int sign = (bits >>> 15) & 1;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        double magnitude;
        if (exponent == 0x1F) {
            magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exponent == 0) {
            magnitude = mantissa / 1024.0 * Math.pow(2, -14);
        } else {
            magnitude = (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
        }
        return sign == 1 ? -magnitude : magnitude;
    }

    @Test
    void everyBitPatternMatchesTheReferenceFormula() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float actual = Float16.toFloat((short) bits);
            double expected = reference(bits);
            String at = "bits 0x" + Integer.toHexString(bits);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(actual), at);
                int raw = Float.floatToRawIntBits(actual);
                assertEquals(bits >>> 15, raw >>> 31, at + " sign");
                assertEquals(bits & 0x3FF, (raw >>> 13) & 0x3FF, at + " payload");
            } else {
                assertEquals((double) actual, expected, 0.0, at); // every half is exact in float
                // raw bits also pin the sign of zero
                assertEquals(Float.floatToRawIntBits((float) expected), Float.floatToRawIntBits(actual), at);
            }
        }
    }

    @Test
    void landmarkValues() {
        assertEquals(1f, Float16.toFloat((short) 0x3C00));
        assertEquals(-2f, Float16.toFloat((short) 0xC000));
        assertEquals(65504f, Float16.toFloat((short) 0x7BFF));
        assertEquals(0x1p-14f, Float16.toFloat((short) 0x0400)); // smallest normal
        assertEquals(0x1p-24f, Float16.toFloat((short) 0x0001)); // smallest subnormal
        assertEquals(0x3FFp-24f, Float16.toFloat((short) 0x03FF)); // largest subnormal
        assertEquals(Float.NEGATIVE_INFINITY, Float16.toFloat((short) 0xFC00));
        assertEquals(0x80000000, Float.floatToRawIntBits(Float16.toFloat((short) 0x8000)));
    }

    @Test
    void bulkConversionAgreesWithScalar() {
        short[] src = new short[1 << 16];
        for (int i = 0; i < src.length; i++) {
            src[i] = (short) i;
        }
        float[] dst = new float[src.length + 3];
        Float16.toFloats(src, 0, dst, 3, src.length);
        for (int i = 0; i < src.length; i++) {
            assertEquals(Float.floatToRawIntBits(Float16.toFloat(src[i])), Float.floatToRawIntBits(dst[i + 3]));
        }
    }
}
