package io.scanflow.jobs.kafka;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka client properties from the {@code kafka:} section of the {@code --config} file: {@code consumer}
 * properties for {@code --input kafka://...}, {@code producer} properties for {@code --out kafka://...}, each
 * passed to the Kafka client as they are. ScanFlow's defaults, which the file may override:
 * <ul>
 *   <li>consumer {@code group.id}: {@code scanflow-COMMAND}; {@code isolation.level}: {@code read_committed}
 *       (a transactional upstream's aborted records are never classified);</li>
 *   <li>producer {@code transactional.id}: the prefix of the sink's transactional ids (Flink appends the
 *       subtask and a counter), {@code scanflow-COMMAND-TOPIC}; {@code transaction.timeout.ms}: 900000, the
 *       brokers' default {@code transaction.max.timeout.ms} (the connector's own default, one hour, is refused
 *       by a broker with default settings).</li>
 * </ul>
 */
public record KafkaSettings(Map<String, String> consumer, Map<String, String> producer) implements Serializable {
    static final String TRANSACTIONAL_ID = "transactional.id";
    static final String TRANSACTION_TIMEOUT = "transaction.timeout.ms";
    static final String DEFAULT_TRANSACTION_TIMEOUT_MS = "900000";

    public KafkaSettings {
        consumer = Map.copyOf(consumer);
        producer = Map.copyOf(producer);
    }

    public static KafkaSettings none() {
        return new KafkaSettings(Map.of(), Map.of());
    }

    Properties consumerProperties(String command) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("group.id", "scanflow-" + command);
        p.put("isolation.level", "read_committed");
        p.putAll(consumer);
        return properties(p);
    }

    /** Producer properties without {@code transactional.id}, which the sink builder takes as its prefix. */
    Properties producerProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(TRANSACTION_TIMEOUT, DEFAULT_TRANSACTION_TIMEOUT_MS);
        p.putAll(producer);
        p.remove(TRANSACTIONAL_ID);
        return properties(p);
    }

    String transactionalIdPrefix(String command, KafkaTopic topic) {
        return producer.getOrDefault(TRANSACTIONAL_ID, "scanflow-" + command + "-" + topic.topic());
    }

    private static Properties properties(Map<String, String> values) {
        Properties p = new Properties();
        p.putAll(values);
        return p;
    }
}
