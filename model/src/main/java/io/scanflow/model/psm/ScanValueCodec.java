package io.scanflow.model.psm;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Writes one value of a PSM stream state (a model state {@code S}, or a buffered chunk element
 * {@code T}) to bytes and reads it back. {@link #read} must consume exactly the bytes that
 * {@link #write} produced, and {@code read(write(v))} must equal {@code v} bit for bit (the
 * duality tests restore a stream mid-way and compare float bits).
 *
 * <p>A codec's byte layout is part of the stream state's on-disk format
 * ({@link ScanStateSerializer}): change it only together with a new serializer version. Codecs write
 * through {@link DataOutput}, big-endian, like every ScanFlow state format (the model state's is
 * {@link io.scanflow.model.state.StateCodec}).
 *
 * @param <V> the value type
 */
public interface ScanValueCodec<V> {

    /** Writes {@code value}. */
    void write(V value, DataOutput out) throws IOException;

    /** Reads a value {@link #write} wrote. */
    V read(DataInput in) throws IOException;

    /** A {@code float[]}: its length as an int, then each float's raw IEEE bits, big-endian. */
    static ScanValueCodec<float[]> floatArray() {
        return FloatArrayCodec.INSTANCE;
    }

    /** The codec behind {@link #floatArray()}. */
    final class FloatArrayCodec implements ScanValueCodec<float[]> {
        static final FloatArrayCodec INSTANCE = new FloatArrayCodec();

        /** Longest array accepted on read, to fail early on corrupt bytes. */
        private static final int MAX_LENGTH = 1 << 28;

        private FloatArrayCodec() {
        }

        @Override
        public void write(float[] value, DataOutput out) throws IOException {
            out.writeInt(value.length);
            for (float v : value) {
                out.writeInt(Float.floatToRawIntBits(v));
            }
        }

        @Override
        public float[] read(DataInput in) throws IOException {
            int length = in.readInt();
            if (length < 0 || length > MAX_LENGTH) {
                throw new IOException("float array length " + length + " out of range [0, " + MAX_LENGTH + "]");
            }
            float[] value = new float[length];
            for (int i = 0; i < length; i++) {
                value[i] = Float.intBitsToFloat(in.readInt());
            }
            return value;
        }
    }
}
