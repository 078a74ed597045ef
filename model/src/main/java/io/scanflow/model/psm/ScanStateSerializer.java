package io.scanflow.model.psm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Versioned bytes for a {@link ScanState}, so per-key PSM stream state survives checkpoints and
 * upgrades. Writes the current version; reads every version it has ever written.
 *
 * <p>Version 1 layout (big-endian, {@link DataOutput} encoding):
 * <pre>
 *   int    magic        0x50534D53 ("PSMS")
 *   int    version      1
 *   int    chunkSize    c
 *   long   chunks       n
 *   int    rootCount    k = popcount(n)
 *   k times, oldest root first:
 *     byte   level      the root covers 2^level chunks (the set bits of n, descending)
 *     S      root       state codec
 *     S      fold       state codec: Agg(previous fold or e, root)
 *   int    pendingCount fewer than c
 *   pendingCount times:
 *     T      element    element codec
 * </pre>
 * The levels are redundant with {@code n}; they are written so that a reader can check them.
 *
 * @param <T> chunk element type
 * @param <S> state type
 */
public final class ScanStateSerializer<T, S> {

    /** "PSMS". */
    public static final int MAGIC = 0x50534D53;
    /** The version {@link #serialize} writes. */
    public static final int CURRENT_VERSION = 1;

    private final ScanValueCodec<S> stateCodec;
    private final ScanValueCodec<T> elementCodec;

    /** A serializer writing states with {@code stateCodec} and pending chunk elements with {@code elementCodec}. */
    public ScanStateSerializer(ScanValueCodec<S> stateCodec, ScanValueCodec<T> elementCodec) {
        this.stateCodec = Objects.requireNonNull(stateCodec, "stateCodec");
        this.elementCodec = Objects.requireNonNull(elementCodec, "elementCodec");
    }

    /** The versioned bytes of {@code state}. */
    public byte[] serialize(ScanState<T, S> state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            serialize(state, new DataOutputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** Writes the versioned bytes of {@code state} to {@code out}. */
    public void serialize(ScanState<T, S> state, DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(CURRENT_VERSION);
        out.writeInt(state.chunkSize());
        out.writeLong(state.chunks());
        int[] levels = state.rootLevels();
        List<S> roots = state.roots();
        List<S> folds = state.folds();
        out.writeInt(levels.length);
        for (int m = 0; m < levels.length; m++) {
            out.writeByte(levels[m]);
            stateCodec.write(roots.get(m), out);
            stateCodec.write(folds.get(m), out);
        }
        List<T> pending = state.pending();
        out.writeInt(pending.size());
        for (T element : pending) {
            elementCodec.write(element, out);
        }
    }

    /** Reads a whole array; bytes left over after the state are an error. */
    public ScanState<T, S> deserialize(byte[] bytes) throws IOException {
        ByteArrayInputStream stream = new ByteArrayInputStream(bytes);
        ScanState<T, S> state = deserialize(new DataInputStream(stream));
        if (stream.available() != 0) {
            throw new IOException("PSM stream state: " + stream.available()
                    + " bytes left over after the state (" + bytes.length + " bytes in all)");
        }
        return state;
    }

    /** Reads a state written by any version of {@link #serialize}. */
    public ScanState<T, S> deserialize(DataInput in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException(String.format(
                    "PSM stream state: magic 0x%08X, expected 0x%08X", magic, MAGIC));
        }
        int version = in.readInt();
        switch (version) {
            case 1:
                return readV1(in);
            default:
                throw new IOException("PSM stream state: version " + version
                        + " is not known to this reader (it reads 1.." + CURRENT_VERSION + ")");
        }
    }

    private ScanState<T, S> readV1(DataInput in) throws IOException {
        int chunkSize = in.readInt();
        if (chunkSize < 1) {
            throw new IOException("PSM stream state v1: chunk size " + chunkSize + " must be >= 1");
        }
        long chunks = in.readLong();
        if (chunks < 0) {
            throw new IOException("PSM stream state v1: chunk count " + chunks + " must be >= 0");
        }
        int[] expected = ScanTree.rootLevels(chunks);
        int rootCount = in.readInt();
        if (rootCount != expected.length) {
            throw new IOException("PSM stream state v1: " + rootCount + " roots after " + chunks
                    + " chunks, expected " + expected.length);
        }
        List<S> roots = new ArrayList<>(rootCount);
        List<S> folds = new ArrayList<>(rootCount);
        for (int m = 0; m < rootCount; m++) {
            int level = in.readByte();
            if (level != expected[m]) {
                throw new IOException("PSM stream state v1: root " + m + " has level " + level
                        + ", expected levels " + Arrays.toString(expected) + " for " + chunks + " chunks");
            }
            roots.add(stateCodec.read(in));
            folds.add(stateCodec.read(in));
        }
        int pendingCount = in.readInt();
        if (pendingCount < 0 || pendingCount >= chunkSize) {
            throw new IOException("PSM stream state v1: " + pendingCount
                    + " pending elements, expected 0.." + (chunkSize - 1));
        }
        List<T> pending = new ArrayList<>(pendingCount);
        for (int i = 0; i < pendingCount; i++) {
            pending.add(elementCodec.read(in));
        }
        return ScanState.of(chunkSize, chunks, roots, folds, pending);
    }
}
