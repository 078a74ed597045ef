package io.scanflow.jobs.kafka;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One Kafka record of live audio: a run of PCM sample frames of one stream. The record key is the
 * stream id (UTF-8), so every frame of a stream lands in one partition, in order. The value:
 *
 * <pre>
 * offset  bytes  field          (little-endian)
 *   0       1    version        1
 *   1       1    flags          bit 0: end of stream (no frames follow; this record may still carry samples)
 *   2       2    channels       unsigned, at least 1; channels are averaged to mono
 *   4       4    sample rate    Hz, signed 32-bit; must be the model's rate
 *   8       8    sample offset  index of this record's first sample frame in the stream (per channel)
 *  16     2*c*n  samples        signed 16-bit, interleaved by channel (n frames of c channels)
 * </pre>
 */
public record PcmFrame(String stream, int channels, int sampleRate, long sampleOffset, short[] samples, boolean last) {
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 16;
    static final int LAST = 1;

    /** A mono stream's samples as records of {@code framesPerRecord} frames; the last one ends the stream. */
    public static List<PcmFrame> split(String stream, int sampleRate, short[] mono, int framesPerRecord) {
        List<PcmFrame> frames = new ArrayList<>();
        for (int at = 0; at < mono.length || at == 0; at += framesPerRecord) {
            int end = Math.min(mono.length, at + framesPerRecord);
            frames.add(new PcmFrame(stream, 1, sampleRate, at, Arrays.copyOfRange(mono, at, end), end == mono.length));
        }
        return frames;
    }

    /** Sample frames in this record (samples per channel). */
    public int frames() {
        return samples.length / channels;
    }

    /** The record key: the stream id. */
    public byte[] key() {
        return stream.getBytes(StandardCharsets.UTF_8);
    }

    /** The record value, laid out as the class comment shows. */
    public byte[] value() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) VERSION).put((byte) (last ? LAST : 0)).putShort((short) channels).putInt(sampleRate)
                .putLong(sampleOffset);
        b.asShortBuffer().put(samples);
        return b.array();
    }
}
