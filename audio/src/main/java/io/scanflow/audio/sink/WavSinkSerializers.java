package io.scanflow.audio.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Versioned bytes for the sink's committables and writer state (both version 1, fields in record order). */
final class WavSinkSerializers {
    private WavSinkSerializers() {}

    static final class Committables implements SimpleVersionedSerializer<WavCommittable> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(WavCommittable c) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(b)) {
                out.writeUTF(c.pending());
                out.writeUTF(c.target());
            }
            return b.toByteArray();
        }

        @Override
        public WavCommittable deserialize(int version, byte[] bytes) throws IOException {
            check("WAV committable", version);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                return new WavCommittable(in.readUTF(), in.readUTF());
            }
        }
    }

    static final class WriterStates implements SimpleVersionedSerializer<WavWriterState> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(WavWriterState s) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(b)) {
                out.writeUTF(s.stream());
                out.writeUTF(s.pending());
                out.writeInt(s.sampleRate());
                out.writeLong(s.samples());
            }
            return b.toByteArray();
        }

        @Override
        public WavWriterState deserialize(int version, byte[] bytes) throws IOException {
            check("WAV writer state", version);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                return new WavWriterState(in.readUTF(), in.readUTF(), in.readInt(), in.readLong());
            }
        }
    }

    private static void check(String what, int version) throws IOException {
        if (version != 1) {
            throw new IOException(what + ": unknown serializer version " + version + " (this build reads 1)");
        }
    }
}
