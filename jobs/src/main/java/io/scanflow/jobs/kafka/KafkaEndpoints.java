package io.scanflow.jobs.kafka;

import io.scanflow.audio.source.AudioRecord;
import io.scanflow.genomics.io.SourceRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Flink's Kafka source and sink, set up the way ScanFlow's jobs use them.
 *
 * <p>Sources: a live (unbounded) source resumes at the consumer group's committed offsets, from the
 * earliest record the first time; a bounded source reads from the earliest record to the end the topic had
 * when the job started, then ends like a file input. Flink checkpoints the offsets, so a restored job reads
 * every record once. Sinks: transactional ({@link DeliveryGuarantee#EXACTLY_ONCE}); a checkpoint commits the
 * rows written since the one before.
 */
public final class KafkaEndpoints {
    private KafkaEndpoints() {
    }

    /** Audio frames ({@link PcmFrame}) at the model's {@code sampleRate}. */
    public static KafkaSource<AudioRecord> pcmFrames(KafkaTopic topic, KafkaSettings settings, String command,
                                                     int sampleRate, boolean bounded) {
        return source(topic, settings, command, bounded, new PcmFrameDeserializer(sampleRate));
    }

    /** Reads ({@link FastqMessage}). */
    public static KafkaSource<SourceRecord> fastqReads(KafkaTopic topic, KafkaSettings settings, String command,
                                                       boolean bounded) {
        return source(topic, settings, command, bounded, new FastqDeserializer());
    }

    /** Output rows, exactly once: visible to {@code read_committed} consumers when a checkpoint completes. */
    public static KafkaSink<OutputRow> rows(KafkaTopic topic, KafkaSettings settings, String command) {
        String name = topic.topic();
        KafkaRecordSerializationSchema<OutputRow> serializer = (row, context, timestamp) -> new ProducerRecord<>(name,
                row.key().getBytes(StandardCharsets.UTF_8), row.value().getBytes(StandardCharsets.UTF_8));
        return KafkaSink.<OutputRow>builder()
                .setBootstrapServers(topic.bootstrapServers())
                .setKafkaProducerConfig(settings.producerProperties())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(settings.transactionalIdPrefix(command, topic))
                .build();
    }

    private static <T> KafkaSource<T> source(KafkaTopic topic, KafkaSettings settings, String command, boolean bounded,
                                             KafkaRecordDeserializationSchema<T> deserializer) {
        KafkaSourceBuilder<T> b = KafkaSource.<T>builder()
                .setBootstrapServers(topic.bootstrapServers())
                .setTopics(topic.topic())
                .setProperties(settings.consumerProperties(command))
                .setDeserializer(deserializer);
        if (bounded) {
            return b.setStartingOffsets(OffsetsInitializer.earliest()).setBounded(OffsetsInitializer.latest()).build();
        }
        return b.setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST)).build();
    }
}
