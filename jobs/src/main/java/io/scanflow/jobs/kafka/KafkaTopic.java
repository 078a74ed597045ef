package io.scanflow.jobs.kafka;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A topic named on the command line as {@code kafka://BROKERS/TOPIC}: BROKERS is Kafka's
 * {@code bootstrap.servers} list ({@code host:port}, comma-separated), TOPIC one topic name.
 *
 * <p>Commands take their {@code --input} and {@code --out} as paths, and a path folds the URI's double
 * slash into one, so both spellings ({@code kafka://} and {@code kafka:/}) are read here.
 */
public record KafkaTopic(String bootstrapServers, String topic) implements Serializable {
    private static final String SCHEME = "kafka:";
    // Kafka's own rule for topic names: ASCII letters, digits, '.', '_' and '-', at most 249 characters.
    private static final Pattern URI = Pattern.compile("kafka:/{1,2}([^/]+)/([A-Za-z0-9._-]{1,249})");

    /** Whether {@code location} names a Kafka topic rather than a file or folder. */
    public static boolean isTopic(Path location) {
        return location != null && location.toString().startsWith(SCHEME);
    }

    /** The topic {@code location} names; {@code option} is the command-line option, for the message. */
    public static KafkaTopic parse(String option, Path location) {
        Matcher m = URI.matcher(location.toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " " + location + ": expected kafka://BROKERS/TOPIC, with BROKERS"
                    + " as host:port[,host:port...] and a topic name of letters, digits, '.', '_' and '-'");
        }
        for (String broker : m.group(1).split(",", -1)) {
            if (!broker.matches("[^:,]+:[0-9]{1,5}")) {
                throw new IllegalArgumentException(option + " " + location + ": broker '" + broker
                        + "' is not host:port");
            }
        }
        return new KafkaTopic(m.group(1), m.group(2));
    }

    @Override
    public String toString() {
        return "kafka://" + bootstrapServers + "/" + topic;
    }
}
