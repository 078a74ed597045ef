package io.scanflow.jobs.kafka;

import be.tarsos.dsp.io.TarsosDSPAudioFloatConverter;
import be.tarsos.dsp.io.TarsosDSPAudioFormat;
import io.scanflow.audio.io.MonoMix;
import io.scanflow.audio.source.AudioChunk;
import io.scanflow.audio.source.AudioRecord;
import io.scanflow.model.io.BadInput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka records of {@link PcmFrame}s to audio records: a mono chunk at the stream's sample offset, or a
 * {@link BadInput} of a record that breaks the format, shaped as the file source shapes it: the stream as
 * the input, and as the place the record's topic, partition and offset with the field's byte offset.
 * Samples are converted to floats by TarsosDSP's converter, as the WAV reader does, so the same PCM gives
 * the same floats whether it comes from a file or a topic.
 */
final class PcmFrameDeserializer implements KafkaRecordDeserializationSchema<AudioRecord> {
    private static final long serialVersionUID = 1L;
    private final int sampleRate;

    /** @param sampleRate the model's rate: frames at another rate are rejected (no resampling across records) */
    PcmFrameDeserializer(int sampleRate) {
        this.sampleRate = sampleRate;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<AudioRecord> out) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (record.key() == null || record.key().length == 0) {
            out.collect(AudioRecord.of(error("(no key)", where, 0, "key", "expected the stream id as the record key, found none")));
            return;
        }
        String stream = new String(record.key(), StandardCharsets.UTF_8);
        byte[] v = record.value();
        if (v == null || v.length < PcmFrame.HEADER_BYTES) {
            out.collect(AudioRecord.of(error(stream, where, 0, "value", "expected at least " + PcmFrame.HEADER_BYTES
                    + " bytes (the PCM frame header), found " + (v == null ? "none" : v.length))));
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.get() & 0xFF;
        int flags = b.get() & 0xFF;
        int channels = b.getShort() & 0xFFFF;
        int rate = b.getInt();
        long offset = b.getLong();
        int sampleBytes = v.length - PcmFrame.HEADER_BYTES;
        String problem = null;
        String field = null;
        long at = 0;
        if (version != PcmFrame.VERSION) {
            field = "version";
            problem = "expected " + PcmFrame.VERSION + ", found " + version;
        } else if (channels < 1) {
            field = "channels";
            at = 2;
            problem = "expected at least 1, found 0";
        } else if (rate != sampleRate) {
            field = "sample rate";
            at = 4;
            problem = "expected the model's " + sampleRate + " Hz, found " + rate;
        } else if (offset < 0) {
            field = "sample offset";
            at = 8;
            problem = "expected 0 or more, found " + offset;
        } else if (sampleBytes % (2 * channels) != 0) {
            field = "samples";
            at = PcmFrame.HEADER_BYTES;
            problem = "expected whole frames of " + channels + " 16-bit samples, found " + sampleBytes + " bytes";
        }
        if (problem != null) {
            out.collect(AudioRecord.of(error(stream, where, at, field, problem)));
            return;
        }
        int frames = sampleBytes / (2 * channels);
        float[] interleaved = new float[frames * channels];
        converter(rate, channels).toFloatArray(v, PcmFrame.HEADER_BYTES, interleaved, 0, interleaved.length);
        float[] mono = new float[frames];
        MonoMix.average(interleaved, channels, frames, mono, 0);
        out.collect(AudioRecord.of(new AudioChunk(stream, offset, rate, mono, (flags & PcmFrame.LAST) != 0)));
    }

    private static TarsosDSPAudioFloatConverter converter(int rate, int channels) {
        return TarsosDSPAudioFloatConverter.getConverter(new TarsosDSPAudioFormat(rate, 16, channels, true, false));
    }

    private static BadInput error(String stream, String where, long byteOffset, String field, String problem) {
        return new BadInput(stream, where + ", byte " + byteOffset, field, problem);
    }

    @Override
    public TypeInformation<AudioRecord> getProducedType() {
        return TypeInformation.of(AudioRecord.class);
    }
}
