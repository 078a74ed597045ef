package io.scanflow.audio.source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Versioned split bytes. Version 1: path (UTF), channel (int), stream (UTF), sample offset (long),
 * ended (boolean). A new version adds a case to {@link #deserialize} and keeps reading version 1.
 */
public final class AudioSplitSerializer implements SimpleVersionedSerializer<AudioSplit> {
    public static final AudioSplitSerializer INSTANCE = new AudioSplitSerializer();
    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(AudioSplit split) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(split.path());
            out.writeInt(split.channel());
            out.writeUTF(split.stream());
            out.writeLong(split.sampleOffset());
            out.writeBoolean(split.ended());
        }
        return bytes.toByteArray();
    }

    @Override
    public AudioSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException("audio split: unknown serializer version " + version + " (this build reads 1)");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return new AudioSplit(in.readUTF(), in.readInt(), in.readUTF(), in.readLong(), in.readBoolean());
        }
    }
}
