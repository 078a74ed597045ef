package io.scanflow.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.source.AudioRecord;
import io.scanflow.genomics.io.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The documented record formats: what decodes, and how a broken record is named. */
class KafkaRecordFormatsTest {
    static <T> List<T> decode(org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema<T> schema,
                              byte[] key, byte[] value) throws Exception {
        List<T> out = new ArrayList<>();
        schema.deserialize(new ConsumerRecord<>("in", 2, 17, key, value), new Collector<>() {
            @Override
            public void collect(T record) {
                out.add(record);
            }

            @Override
            public void close() {
            }
        });
        return out;
    }

    @Test
    void stereoFramesAreAveragedToMonoAtTheirOffset() throws Exception {
        PcmFrame f = new PcmFrame("mic-7", 2, 16000, 3200, new short[] {16384, 0, -32768, -32768}, true);
        AudioRecord r = decode(new PcmFrameDeserializer(16000), f.key(), f.value()).get(0);
        assertNull(r.error);
        assertEquals("mic-7", r.chunk.stream);
        assertEquals(3200, r.chunk.firstSample);
        assertTrue(r.chunk.last);
        assertEquals(2, r.chunk.samples.length);
        assertEquals(0.25f, r.chunk.samples[0], 1e-4f);
        assertEquals(-1f, r.chunk.samples[1], 1e-4f);
    }

    @Test
    void aFrameAtAnotherRateIsAnErrorNamingTheRecordAndField() throws Exception {
        PcmFrame f = new PcmFrame("mic-7", 1, 8000, 0, new short[] {1, 2}, false);
        AudioRecord r = decode(new PcmFrameDeserializer(16000), f.key(), f.value()).get(0);
        assertEquals("mic-7", r.error.file());
        assertEquals("in-2@17, byte 4", r.error.record());
        assertEquals("sample rate", r.error.field());
        assertEquals("expected the model's 16000 Hz, found 8000", r.error.problem());
    }

    @Test
    void brokenFramesAreErrors() throws Exception {
        PcmFrameDeserializer d = new PcmFrameDeserializer(16000);
        byte[] odd = new PcmFrame("s", 2, 16000, 0, new short[] {1, 2}, false).value();
        byte[] cut = java.util.Arrays.copyOf(odd, odd.length - 2);
        assertEquals("samples", decode(d, "s".getBytes(StandardCharsets.UTF_8), cut).get(0).error.field());
        assertEquals("value", decode(d, "s".getBytes(StandardCharsets.UTF_8), new byte[3]).get(0).error.field());
        assertEquals("key", decode(d, null, odd).get(0).error.field());
        byte[] v2 = odd.clone();
        v2[0] = 2;
        assertEquals("version", decode(d, "s".getBytes(StandardCharsets.UTF_8), v2).get(0).error.field());
    }

    @Test
    void aFastqRecordIsAReadOfTheKeysSample() throws Exception {
        FastqMessage m = new FastqMessage("patient-3", "r1", "ACGTN", "IIIII");
        SourceRecord r = decode(new FastqDeserializer(), m.key(), m.value()).get(0);
        assertEquals("patient-3", r.read().sample());
        assertEquals("r1", r.read().id());
        assertEquals("ACGTN", r.read().bases());
        assertEquals(17, r.read().ordinal());
    }

    @Test
    void brokenFastqRecordsAreBadInputNamingReadAndField() throws Exception {
        FastqDeserializer d = new FastqDeserializer();
        byte[] key = "s".getBytes(StandardCharsets.UTF_8);
        SourceRecord qual = decode(d, key, "@r1\nACGT\n+\nII\n".getBytes(StandardCharsets.US_ASCII)).get(0);
        assertEquals("in-2@17", qual.bad().file());
        assertEquals("r1", qual.bad().record());
        assertEquals("quality", qual.bad().field());
        assertEquals("sequence", decode(d, key, "@r2\nACXT\n+\nIIII".getBytes(StandardCharsets.US_ASCII)).get(0)
                .bad().field());
        assertEquals("header", decode(d, key, "r3\nACGT\n+\nIIII\n".getBytes(StandardCharsets.US_ASCII)).get(0)
                .bad().field());
        assertEquals("record", decode(d, key, "@r4\nACGT\n".getBytes(StandardCharsets.US_ASCII)).get(0).bad().field());
        assertEquals("key", decode(d, null, "@r5\nA\n+\nI\n".getBytes(StandardCharsets.US_ASCII)).get(0).bad().field());
    }

    @Test
    void topicUrisNameBrokersAndTopic() {
        KafkaTopic t = KafkaTopic.parse("--out", Path.of("kafka://a:9092,b:9093/detections"));
        assertEquals("a:9092,b:9093", t.bootstrapServers());
        assertEquals("detections", t.topic());
        assertTrue(KafkaTopic.isTopic(Path.of("kafka://a:9092/x")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KafkaTopic.parse("--input", Path.of("kafka://a/x")));
        assertEquals("--input kafka:/a/x: broker 'a' is not host:port", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KafkaTopic.parse("--input", Path.of("kafka://a:1/")));
    }

    @Test
    void framesRoundTripTheirSamples() {
        short[] s = {1, -2, 3, 32767, -32768};
        List<PcmFrame> frames = PcmFrame.split("x", 16000, s, 2);
        assertEquals(3, frames.size());
        assertEquals(4, frames.get(2).sampleOffset());
        assertTrue(frames.get(2).last());
        assertArrayEquals(new short[] {3, 32767}, frames.get(1).samples());
    }
}
