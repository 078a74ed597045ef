package io.scanflow.jobs.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain Kafka clients for the tests: publish records, read a topic's committed rows. */
public final class TopicClient {
    private final String brokers;

    public TopicClient(String brokers) {
        this.brokers = brokers;
    }

    /** Publishes {@code records} (key, value) to {@code topic} and waits until the broker has them all. */
    public void publish(String topic, List<Map.Entry<byte[], byte[]>> records) {
        // flush() returns once every send has completed, failed ones included: only the futures say which
        // failed (a send the producer gave up on would otherwise be a record silently missing from the topic).
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (Map.Entry<byte[], byte[]> r : records) {
                sent.add(p.send(new ProducerRecord<>(topic, r.getKey(), r.getValue())));
            }
            p.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the broker did not take a record for " + topic + ": " + e.getCause(), e);
        }
    }

    public KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // Retry for as long as a loaded machine needs (the default gives up after 2 minutes); the bound only
        // guards against a broker that never answers.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofMinutes(10).toMillis());
        return new KafkaProducer<>(props);
    }

    public KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(props);
    }

    /**
     * The values of {@code topic} a {@code read_committed} consumer sees, read from the start until
     * {@code enough} holds for them and then on to the topic's current end, so rows beyond the expected
     * ones are seen too. {@code timeout} only guards against a job that never delivers.
     */
    public List<String> readCommitted(String topic, Predicate<List<String>> enough, Duration timeout) {
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = consumer("read_committed")) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            while (!enough.test(values)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("gave up after " + timeout + " with " + values.size() + " rows of " + topic
                            + ": " + values);
                }
                poll(c, values);
            }
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                poll(c, values);
            }
        }
        return values;
    }

    private static void poll(KafkaConsumer<byte[], byte[]> c, List<String> values) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            values.add(new String(r.value(), StandardCharsets.UTF_8));
        }
    }
}
