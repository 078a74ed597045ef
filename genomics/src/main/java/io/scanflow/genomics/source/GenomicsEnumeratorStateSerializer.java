package io.scanflow.genomics.source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Versioned bytes of the enumerator state. Version 1: the split serializer's version (int), the
 * number of splits (int), then each split in that version's layout.
 */
public final class GenomicsEnumeratorStateSerializer implements SimpleVersionedSerializer<GenomicsEnumeratorState> {
    /** The format version written. */
    public static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(GenomicsEnumeratorState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(GenomicsSplitSerializer.VERSION);
            out.writeInt(state.splits().size());
            for (GenomicsSplit s : state.splits()) {
                GenomicsSplitSerializer.write(s, out);
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public GenomicsEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException("genomics enumerator state: expected serializer version 1, found " + version);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            int splitVersion = in.readInt();
            int n = in.readInt();
            List<GenomicsSplit> splits = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                splits.add(GenomicsSplitSerializer.read(splitVersion, in));
            }
            return new GenomicsEnumeratorState(splits);
        }
    }
}
