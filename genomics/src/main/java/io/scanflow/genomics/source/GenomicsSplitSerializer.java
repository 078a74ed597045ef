package io.scanflow.genomics.source;

import io.scanflow.genomics.io.GenomicsFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Versioned bytes of a {@link GenomicsSplit} (checkpoints and savepoints hold them).
 *
 * <p>Version 1: UTF split id, UTF path, UTF format name, UTF unit name, then start, end, position,
 * ordinal as big-endian longs. Version 2: the same with the UTF input name after the path (a version 1
 * split is named by its file name). Every later version must keep reading both (a test pins their bytes).
 */
public final class GenomicsSplitSerializer implements SimpleVersionedSerializer<GenomicsSplit> {
    /** The serializer (stateless). */
    public static final GenomicsSplitSerializer INSTANCE = new GenomicsSplitSerializer();
    /** The format version written; every earlier version is read. */
    public static final int VERSION = 2;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(GenomicsSplit split) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(split, out);
        }
        return bytes.toByteArray();
    }

    @Override
    public GenomicsSplit deserialize(int version, byte[] serialized) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return read(version, in);
        }
    }

    static void write(GenomicsSplit s, DataOutputStream out) throws IOException {
        out.writeUTF(s.splitId());
        out.writeUTF(s.path());
        out.writeUTF(s.name());
        out.writeUTF(s.format().name());
        out.writeUTF(s.unit().name());
        out.writeLong(s.start());
        out.writeLong(s.end());
        out.writeLong(s.position());
        out.writeLong(s.ordinal());
    }

    static GenomicsSplit read(int version, DataInputStream in) throws IOException {
        if (version != 1 && version != 2) {
            throw new IOException("genomics split: expected serializer version 1 or 2, found " + version
                    + " (written by a newer ScanFlow?)");
        }
        String id = in.readUTF();
        String path = in.readUTF();
        String name = version >= 2 ? in.readUTF() : java.nio.file.Path.of(path).getFileName().toString();
        GenomicsFormat format = GenomicsFormat.valueOf(in.readUTF());
        GenomicsSplit.Unit unit = GenomicsSplit.Unit.valueOf(in.readUTF());
        return new GenomicsSplit(id, path, name, format, unit, in.readLong(), in.readLong(), in.readLong(), in.readLong());
    }
}
