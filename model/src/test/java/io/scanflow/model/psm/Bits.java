package io.scanflow.model.psm;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bit-for-bit float comparisons (raw bits: -0 differs from 0, NaN payloads count). */
public final class Bits {

    private Bits() {
    }

    public static boolean equal(float[] x, float[] y) {
        if (x.length != y.length) {
            return false;
        }
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                return false;
            }
        }
        return true;
    }

    public static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " differs: expected " + expected[i]
                        + " (0x" + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + "), got "
                        + actual[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + ")");
            }
        }
    }

    public static void assertBitsEqual(float[][] expected, float[][] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": rows");
        for (int i = 0; i < expected.length; i++) {
            assertBitsEqual(expected[i], actual[i], what + ", row " + i);
        }
    }

    public static String key(float[] x) {
        StringBuilder sb = new StringBuilder();
        for (float v : x) {
            sb.append(Integer.toHexString(Float.floatToRawIntBits(v))).append(',');
        }
        return sb.toString();
    }
}
