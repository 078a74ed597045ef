package io.scanflow.audio.source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Version 1: split serializer version (int), pending count (int), each split as length-prefixed split
 * bytes, seen-path count (int), each path (UTF).
 */
public final class AudioEnumeratorStateSerializer implements SimpleVersionedSerializer<AudioEnumeratorState> {
    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(AudioEnumeratorState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(AudioSplitSerializer.INSTANCE.getVersion());
            out.writeInt(state.pending().size());
            for (AudioSplit s : state.pending()) {
                byte[] b = AudioSplitSerializer.INSTANCE.serialize(s);
                out.writeInt(b.length);
                out.write(b);
            }
            out.writeInt(state.seenPaths().size());
            for (String p : state.seenPaths()) {
                out.writeUTF(p);
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public AudioEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException("audio enumerator state: unknown serializer version " + version + " (this build reads 1)");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            int splitVersion = in.readInt();
            int n = in.readInt();
            List<AudioSplit> pending = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                pending.add(AudioSplitSerializer.INSTANCE.deserialize(splitVersion, b));
            }
            int m = in.readInt();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < m; i++) {
                seen.add(in.readUTF());
            }
            return new AudioEnumeratorState(pending, seen);
        }
    }
}
