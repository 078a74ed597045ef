package io.scanflow.flink.state;

import io.scanflow.flink.ScanInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The binary form of {@link KeyState} in keyed state and savepoints. Every value starts with its
 * format version, and this serializer reads every version it ever wrote, so a savepoint taken by an
 * older build restores here without migration.
 *
 * <pre>
 * version 1:
 *   byte    version = 1
 *   byte    flags   1 model, 2 session, 4 last prediction, 8 last logits
 *   [int n, n bytes]                                         model state (flag 1)
 *   long    rng; long records; long sessions; int pendingToken
 *   [long id, int maxTokens, int generated, bool stop, long eventTime, long timestamp]   (flag 2)
 *   [long position, int label, float probability, [int n, n floats]]    (flag 4, logits flag 8)
 *   int     queued, then per record: ScanInput (see {@link #writeInput}), long timestamp
 * </pre>
 */
public final class KeyStateSerializer extends TypeSerializer<KeyState> {
    private static final long serialVersionUID = 1L;

    /** The format version written in front of every value. */
    public static final byte VERSION = 1;

    private static final int HAS_MODEL = 1;
    private static final int HAS_SESSION = 2;
    private static final int HAS_LAST = 4;
    private static final int HAS_LOGITS = 8;

    /** The serializer (stateless). */
    public static final KeyStateSerializer INSTANCE = new KeyStateSerializer();

    @Override
    public boolean isImmutableType() {
        // Values are never mutated in place, but arrays inside them could be by a careless caller.
        return false;
    }

    @Override
    public TypeSerializer<KeyState> duplicate() {
        return this;
    }

    @Override
    public KeyState createInstance() {
        return new KeyState(null, 0L, 0L, 0L, -1, null, null, List.of());
    }

    @Override
    public KeyState copy(KeyState from) {
        KeyState.LastPrediction last = from.last();
        if (last != null && last.logits() != null) {
            last = new KeyState.LastPrediction(last.position(), last.label(), last.probability(), last.logits().clone());
        }
        List<KeyState.Queued> queue = new ArrayList<>(from.queue().size());
        for (KeyState.Queued q : from.queue()) {
            queue.add(new KeyState.Queued(copyInput(q.record()), q.timestamp()));
        }
        return new KeyState(from.model() == null ? null : from.model().clone(), from.rng(), from.records(),
                from.sessions(), from.pendingToken(), from.session(), last, queue);
    }

    @Override
    public KeyState copy(KeyState from, KeyState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(KeyState s, DataOutputView out) throws IOException {
        int flags = (s.model() != null ? HAS_MODEL : 0) | (s.session() != null ? HAS_SESSION : 0)
                | (s.last() != null ? HAS_LAST : 0) | (s.last() != null && s.last().logits() != null ? HAS_LOGITS : 0);
        out.writeByte(VERSION);
        out.writeByte(flags);
        if (s.model() != null) {
            out.writeInt(s.model().length);
            out.write(s.model());
        }
        out.writeLong(s.rng());
        out.writeLong(s.records());
        out.writeLong(s.sessions());
        out.writeInt(s.pendingToken());
        if (s.session() != null) {
            KeyState.Session g = s.session();
            out.writeLong(g.id());
            out.writeInt(g.maxTokens());
            out.writeInt(g.generated());
            out.writeBoolean(g.stopRequested());
            out.writeLong(g.eventTime());
            out.writeLong(g.timestamp());
        }
        if (s.last() != null) {
            KeyState.LastPrediction p = s.last();
            out.writeLong(p.position());
            out.writeInt(p.label());
            out.writeFloat(p.probability());
            if (p.logits() != null) {
                writeFloats(p.logits(), out);
            }
        }
        out.writeInt(s.queue().size());
        for (KeyState.Queued q : s.queue()) {
            writeInput(q.record(), out);
            out.writeLong(q.timestamp());
        }
    }

    @Override
    public KeyState deserialize(DataInputView in) throws IOException {
        int version = in.readByte();
        if (version != 1) {
            throw new IOException("unknown key state format version " + version + " (this build reads 1)");
        }
        int flags = in.readByte();
        byte[] model = null;
        if ((flags & HAS_MODEL) != 0) {
            model = new byte[in.readInt()];
            in.readFully(model);
        }
        long rng = in.readLong();
        long records = in.readLong();
        long sessions = in.readLong();
        int pending = in.readInt();
        KeyState.Session session = null;
        if ((flags & HAS_SESSION) != 0) {
            session = new KeyState.Session(in.readLong(), in.readInt(), in.readInt(), in.readBoolean(), in.readLong(),
                    in.readLong());
        }
        KeyState.LastPrediction last = null;
        if ((flags & HAS_LAST) != 0) {
            long position = in.readLong();
            int label = in.readInt();
            float probability = in.readFloat();
            float[] logits = (flags & HAS_LOGITS) != 0 ? readFloats(in) : null;
            last = new KeyState.LastPrediction(position, label, probability, logits);
        }
        int queued = in.readInt();
        List<KeyState.Queued> queue = new ArrayList<>(queued);
        for (int i = 0; i < queued; i++) {
            ScanInput record = readInput(in);
            queue.add(new KeyState.Queued(record, in.readLong()));
        }
        return new KeyState(model, rng, records, sessions, pending, session, last, queue);
    }

    @Override
    public KeyState deserialize(KeyState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof KeyStateSerializer;
    }

    @Override
    public int hashCode() {
        return KeyStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<KeyState> snapshotConfiguration() {
        return new KeyStateSerializerSnapshot();
    }

    /**
     * A record: UTF key, tokens and features as length-prefixed arrays (-1 for null), end flag,
     * event time.
     */
    static void writeInput(ScanInput r, DataOutputView out) throws IOException {
        out.writeUTF(r.key());
        if (r.tokens() == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(r.tokens().length);
            for (int t : r.tokens()) {
                out.writeInt(t);
            }
        }
        if (r.features() == null) {
            out.writeInt(-1);
        } else {
            writeFloats(r.features(), out);
        }
        out.writeBoolean(r.endOfStream());
        out.writeLong(r.eventTime());
    }

    static ScanInput readInput(DataInputView in) throws IOException {
        String key = in.readUTF();
        int n = in.readInt();
        int[] tokens = null;
        if (n >= 0) {
            tokens = new int[n];
            for (int i = 0; i < n; i++) {
                tokens[i] = in.readInt();
            }
        }
        int m = in.readInt();
        float[] features = null;
        if (m >= 0) {
            features = new float[m];
            for (int i = 0; i < m; i++) {
                features[i] = in.readFloat();
            }
        }
        boolean end = in.readBoolean();
        return new ScanInput(key, tokens, features, end, in.readLong());
    }

    private static void writeFloats(float[] v, DataOutputView out) throws IOException {
        out.writeInt(v.length);
        for (float f : v) {
            out.writeFloat(f);
        }
    }

    private static float[] readFloats(DataInputView in) throws IOException {
        int n = in.readInt();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }

    private static ScanInput copyInput(ScanInput r) {
        return new ScanInput(r.key(), r.tokens() == null ? null : r.tokens().clone(),
                r.features() == null ? null : r.features().clone(), r.endOfStream(), r.eventTime());
    }
}
