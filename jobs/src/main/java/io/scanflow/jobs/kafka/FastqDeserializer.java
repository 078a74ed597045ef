package io.scanflow.jobs.kafka;

import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.source.Cursors;
import io.scanflow.model.io.BadInput;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka records of {@link FastqMessage}s to reads, or to bad input naming the topic, partition and
 * offset, the read and the field. The read's file is the topic; its ordinal the record's offset.
 */
final class FastqDeserializer implements KafkaRecordDeserializationSchema<SourceRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (record.key() == null || record.key().length == 0) {
            out.collect(bad(where, "#" + record.offset(), "key", "expected the sample as the record key, found none"));
            return;
        }
        String sample = new String(record.key(), StandardCharsets.UTF_8);
        String text = record.value() == null ? "" : new String(record.value(), StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n", -1);
        int count = text.endsWith("\n") ? lines.length - 1 : lines.length;
        if (count < 1 || !lines[0].startsWith("@")) {
            out.collect(bad(where, "#" + record.offset(), "header", "expected a FASTQ record starting with '@', found "
                    + quote(count < 1 ? "" : lines[0])));
            return;
        }
        String id = lines[0].substring(1).split("[ \t]", 2)[0];
        if (count != 4) {
            out.collect(bad(where, id, "record", "expected 4 lines (header, bases, '+', qualities), found " + count));
        } else if (!lines[2].startsWith("+")) {
            out.collect(bad(where, id, "separator", "expected a line starting with '+', found " + quote(lines[2])));
        } else if (lines[3].length() != lines[1].length()) {
            out.collect(bad(where, id, "quality", "expected " + lines[1].length()
                    + " quality characters (one per base), found " + lines[3].length()));
        } else {
            SourceRecord r = Cursors.readOrBad(record.topic(), id, sample, lines[1], record.offset(), "sequence");
            out.collect(r.isBad() ? bad(where, id, r.bad().field(), r.bad().problem()) : r);
        }
    }

    private static SourceRecord bad(String where, String read, String field, String problem) {
        return SourceRecord.of(new BadInput(where, read, field, problem));
    }

    private static String quote(String s) {
        return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }
}
