package io.scanflow.model.psm;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * An element (or a composed span) of a diagonal linear recurrence {@code h_t = a_t * h_{t-1} + b_t},
 * per channel: the pair of vectors {@code (a, b)} of one width, meaning the map
 * {@code h -> a * h + b} (element-wise).
 *
 * <p>Composition, "first {@code left}, then {@code right}":
 * {@code (a1, b1) o (a2, b2) = (a1 * a2, a2 * b1 + b2)}. It is associative in exact arithmetic,
 * with identity {@code (1, 0)}; in float each bracketing rounds differently (see
 * {@link AffinePsm}).
 *
 * <p>The arrays are held, not copied: treat a pair as immutable once it is handed to a PSM
 * evaluator. Only {@link #composeInto} writes, and only into the pair given as {@code out}.
 */
public final class AffinePair {

    private final float[] a;
    private final float[] b;

    private AffinePair(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("a and b must have one width, got " + a.length + " and " + b.length);
        }
        this.a = a;
        this.b = b;
    }

    /** Wraps {@code a} and {@code b} (no copy). */
    public static AffinePair of(float[] a, float[] b) {
        return new AffinePair(a, b);
    }

    /** {@code (1, 0)}: the identity map. */
    public static AffinePair identity(int width) {
        float[] a = new float[width];
        Arrays.fill(a, 1f);
        return new AffinePair(a, new float[width]);
    }

    /** The multiplier {@code a} (the held array). */
    public float[] a() {
        return a;
    }

    /** The offset {@code b} (the held array); for a prefix from {@code h = 0}, the hidden state. */
    public float[] b() {
        return b;
    }

    /** Number of (a, b) lanes. */
    public int width() {
        return a.length;
    }

    /** An independent copy. */
    public AffinePair copy() {
        return new AffinePair(a.clone(), b.clone());
    }

    /** {@code left o right = (left.a * right.a, right.a * left.b + right.b)}, a new pair. */
    public static AffinePair compose(AffinePair left, AffinePair right) {
        AffinePair out = new AffinePair(new float[left.width()], new float[left.width()]);
        composeInto(left, right, out);
        return out;
    }

    /**
     * {@code out = left o right} without allocating; {@code out} may be {@code left} or
     * {@code right} (each channel reads its inputs before writing). Same float operations, in
     * the same order, as {@link #compose}.
     */
    public static void composeInto(AffinePair left, AffinePair right, AffinePair out) {
        int width = left.width();
        if (right.width() != width || out.width() != width) {
            throw new IllegalArgumentException("widths differ: " + width + ", " + right.width() + ", " + out.width());
        }
        float[] la = left.a;
        float[] lb = left.b;
        float[] ra = right.a;
        float[] rb = right.b;
        float[] oa = out.a;
        float[] ob = out.b;
        for (int k = 0; k < width; k++) {
            float a1 = la[k];
            float b1 = lb[k];
            float a2 = ra[k];
            float b2 = rb[k];
            oa[k] = a1 * a2;
            ob[k] = a2 * b1 + b2;
        }
    }

    /** Bytes: width as an int, then a's and b's raw float bits, big-endian. */
    public static ScanValueCodec<AffinePair> codec() {
        return Codec.INSTANCE;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AffinePair)) {
            return false;
        }
        AffinePair other = (AffinePair) o;
        return Arrays.equals(a, other.a) && Arrays.equals(b, other.b);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(a) + Arrays.hashCode(b);
    }

    @Override
    public String toString() {
        return "AffinePair{a=" + Arrays.toString(a) + ", b=" + Arrays.toString(b) + "}";
    }

    private static final class Codec implements ScanValueCodec<AffinePair> {
        static final Codec INSTANCE = new Codec();
        private static final int MAX_WIDTH = 1 << 27;

        @Override
        public void write(AffinePair value, DataOutput out) throws IOException {
            out.writeInt(value.width());
            for (float v : value.a) {
                out.writeInt(Float.floatToRawIntBits(v));
            }
            for (float v : value.b) {
                out.writeInt(Float.floatToRawIntBits(v));
            }
        }

        @Override
        public AffinePair read(DataInput in) throws IOException {
            int width = in.readInt();
            if (width < 0 || width > MAX_WIDTH) {
                throw new IOException("affine pair width " + width + " out of range [0, " + MAX_WIDTH + "]");
            }
            float[] a = new float[width];
            float[] b = new float[width];
            for (int k = 0; k < width; k++) {
                a[k] = Float.intBitsToFloat(in.readInt());
            }
            for (int k = 0; k < width; k++) {
                b[k] = Float.intBitsToFloat(in.readInt());
            }
            return new AffinePair(a, b);
        }
    }
}
