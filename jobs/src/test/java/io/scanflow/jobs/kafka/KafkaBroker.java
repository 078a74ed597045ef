package io.scanflow.jobs.kafka;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), run as a child JVM
 * from the Kafka server jars on the test class path: formatted with Kafka's StorageTool, started with
 * {@code kafka.Kafka}. {@link #restart} stops it (SIGKILL, as a crash) and starts it again on the same ports
 * and data, so clients reconnect to the same address.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(90);

    private final Path dir;
    private final Path config;
    private final int port;
    private Process process;

    private KafkaBroker(Path dir, int port, int controllerPort) throws IOException {
        this.dir = dir;
        this.port = port;
        this.config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                ""));
    }

    /** Formats a fresh data folder under {@code dir} and starts the broker; returns once it answers. */
    public static KafkaBroker start(Path dir) throws Exception {
        Files.createDirectories(dir);
        KafkaBroker b = new KafkaBroker(dir, freePort(), freePort());
        Process format = b.java("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c",
                b.config.toString()).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(READY.toSeconds(), TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("kafka-storage format failed: " + Files.readString(dir.resolve("format.log")));
        }
        b.launch();
        return b;
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * Creates a topic with {@code partitions} partitions (replication 1) and returns once every partition has
     * a leader: creation is acknowledged before that, and a client's first sends would meet a partition without one.
     */
    public void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all()
                    .get(READY.toSeconds(), TimeUnit.SECONDS);
            long deadline = System.nanoTime() + READY.toNanos();
            while (!allLed(admin.describeTopics(List.of(name)).allTopicNames()
                    .get(READY.toSeconds(), TimeUnit.SECONDS).get(name))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + name + " has partitions without a leader after " + READY);
                }
                Thread.sleep(50); // the interval between asks, not a guess of how long election takes
            }
        }
    }

    private static boolean allLed(TopicDescription topic) {
        return topic.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    }

    /** Kills the broker like a crash and starts it again on the same ports and data. */
    public void restart() throws Exception {
        process.destroyForcibly().waitFor();
        launch();
    }

    private void launch() throws Exception {
        File log = dir.resolve("broker.log").toFile();
        process = java("kafka.Kafka", config.toString()).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        // Admin calls retry until the broker answers; the timeout only guards against a broker that never does.
        try (Admin admin = admin()) {
            admin.describeCluster().nodes().get(READY.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw new IllegalStateException("the Kafka broker did not start within " + READY + ", see " + log, e);
        }
    }

    private Admin admin() {
        Properties p = new Properties();
        p.putAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY.toMillis(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
        return Admin.create(p);
    }

    private ProcessBuilder java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
