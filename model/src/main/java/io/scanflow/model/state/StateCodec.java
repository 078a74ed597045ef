package io.scanflow.model.state;

import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The versioned binary form of a {@link RecurrentState}: what Flink keyed state and savepoints hold.
 *
 * <pre>
 *   byte[4] magic        'S' 'F' 'S' 'T'
 *   short   version      2
 *   long    fingerprint  of the model (architecture and weights) that made the state
 *   long    position     tokens consumed
 *   int     floats       count, then that many float32, in the model's portable order
 * </pre>
 * Version 2 is big-endian throughout, the byte order of Flink's {@code DataOutputView} and of every other
 * ScanFlow serializer (the keyed state around these bytes, PSM stream state, source splits). Version 1 had
 * the same fields little-endian (its version field reads as the bytes {@code 01 00}); it is still read, so
 * savepoints taken by builds that wrote it restore, and the next checkpoint writes version 2. Readers keep
 * accepting every older version; a new field means a new version.
 */
public final class StateCodec {
    /** First four bytes of encoded state, "SFST", as a big-endian int. */
    public static final int MAGIC = 0x53465354;
    /** The format version written. */
    public static final short VERSION = 2;
    /** Version 1's version field ({@code 01 00}, little-endian 1) read big-endian. */
    private static final short VERSION_1_FIELD = 0x0100;
    private static final int HEADER = 4 + 2 + 8 + 8 + 4;

    private StateCodec() {}

    /** Bytes {@link #encode} writes for {@code state}. */
    public static int encodedSize(RecurrentState state) {
        return HEADER + 4 * state.data().length;
    }

    /** The state of {@code model}, its floats in the portable order ({@link SequenceModel#exportState}). */
    public static byte[] encode(SequenceModel model, RecurrentState state) {
        float[] portable = new float[state.data().length];
        model.exportState(state, portable);
        return encode(portable, state.position(), model.fingerprint());
    }

    /** Overwrites {@code into}, a state of {@code model}, with the decoded state, after checking it belongs to the model. */
    public static void decode(byte[] bytes, SequenceModel model, RecurrentState into) {
        float[] portable = new float[into.data().length];
        into.setPosition(decode(bytes, model.fingerprint(), portable));
        model.importState(portable, into);
    }

    /** The state's floats as they are: for states whose floats are already in the portable order. */
    public static byte[] encode(RecurrentState state, long fingerprint) {
        return encode(state.data(), state.position(), fingerprint);
    }

    private static byte[] encode(float[] floats, long position, long fingerprint) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + 4 * floats.length).order(ByteOrder.BIG_ENDIAN);
        b.putInt(MAGIC).putShort(VERSION).putLong(fingerprint).putLong(position).putInt(floats.length);
        b.asFloatBuffer().put(floats);
        return b.array();
    }

    /**
     * Overwrites {@code into} with the decoded state, after checking it belongs to this model; the floats
     * land as saved (the portable order).
     */
    public static void decode(byte[] bytes, long expectedFingerprint, RecurrentState into) {
        into.setPosition(decode(bytes, expectedFingerprint, into.data()));
    }

    /** Decodes the floats into {@code into} (its length is the state size expected); returns the position. */
    private static long decode(byte[] bytes, long expectedFingerprint, float[] into) {
        if (bytes.length < HEADER) {
            throw new StateFormatException("state bytes too short: " + bytes.length + " bytes, header needs " + HEADER);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        int magic = b.getInt();
        if (magic != MAGIC) {
            throw new StateFormatException(String.format("not a ScanFlow model state: magic 0x%08x, expected 0x%08x", magic, MAGIC));
        }
        short version = b.getShort();
        if (version == VERSION_1_FIELD) {
            b.order(ByteOrder.LITTLE_ENDIAN);
        } else if (version != VERSION) {
            throw new StateFormatException(String.format(
                    "unsupported state version field 0x%04x (this build reads 1, stored as 01 00, and 2, as 00 02)", version));
        }
        long fingerprint = b.getLong();
        if (fingerprint != expectedFingerprint) {
            throw new StateFormatException(String.format(
                    "state was written by another model (fingerprint %016x, this model %016x)", fingerprint, expectedFingerprint));
        }
        long position = b.getLong();
        int floats = b.getInt();
        if (floats != into.length || b.remaining() != 4L * floats) {
            throw new StateFormatException("state holds " + floats + " floats in " + b.remaining()
                    + " bytes; this model's state has " + into.length + " floats");
        }
        b.asFloatBuffer().get(into);
        return position;
    }
}
