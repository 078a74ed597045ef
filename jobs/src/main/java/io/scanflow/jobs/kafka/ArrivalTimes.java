package io.scanflow.jobs.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * For {@link LiveStreamBench}: a consumer thread that reads an output topic from its start at one isolation
 * level and notes when each row first arrives, until the expected number of rows has come. Rows whose key
 * field (the second TSV field: stream or read id) is {@link #WARMUP} only open {@link #awaitWarmup}.
 */
final class ArrivalTimes {
    static final String WARMUP = "warmup";

    private final JobClient job;
    private final CountDownLatch warm = new CountDownLatch(1);
    private final String isolation;
    private final int expected;
    private final Map<String, Long> arrived = new LinkedHashMap<>();
    private final Thread thread;

    ArrivalTimes(String brokers, JobClient job, String topic, String isolation, int expected) {
        this.job = job;
        this.isolation = isolation;
        this.expected = expected;
        Properties p = new Properties();
        p.put("bootstrap.servers", brokers);
        p.put("isolation.level", isolation);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        this.thread = new Thread(() -> consume(topic, p), "bench consumer " + isolation);
        thread.start();
    }

    private void consume(String topic, Properties p) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(x -> new TopicPartition(topic, x.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            while (size() < expected) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    String row = new String(r.value(), StandardCharsets.UTF_8);
                    if (row.split("\t")[1].equals(WARMUP)) {
                        warm.countDown();
                        continue;
                    }
                    synchronized (arrived) {
                        arrived.putIfAbsent(row, now);
                    }
                }
            }
        }
    }

    private int size() {
        synchronized (arrived) {
            return arrived.size();
        }
    }

    /** Returns once a warm-up row has come: the job runs and its source reads. */
    void awaitWarmup() throws Exception {
        while (!warm.await(1, TimeUnit.SECONDS)) {
            failIfJobEnded();
        }
    }

    /** Returns once every expected row has come; fails if the job ends first or after ten minutes. */
    void await() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (thread.isAlive()) {
            thread.join(1000);
            failIfJobEnded();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(isolation + ": " + size() + " of " + expected + " rows after 10 min");
            }
        }
    }

    private void failIfJobEnded() throws Exception {
        if (job.getJobStatus().get().isGloballyTerminalState()) {
            job.getJobExecutionResult().get(); // throws the job's failure
            throw new IllegalStateException("the job ended before all rows arrived");
        }
    }

    /**
     * Prints the median, p99 and max of arrival minus {@code publishedAt(row)}, in milliseconds: for all rows,
     * and for the rows published from {@code steadyFrom} (a {@link System#nanoTime} value) on, once the
     * JIT has compiled the hot paths for the full load.
     */
    void report(Function<String, Long> publishedAt, long steadyFrom) {
        List<long[]> times = new ArrayList<>();
        synchronized (arrived) {
            arrived.forEach((row, at) -> times.add(new long[] {publishedAt.apply(row), at}));
        }
        print("", times.stream().mapToDouble(t -> (t[1] - t[0]) / 1e6).sorted().toArray());
        print(" steady", times.stream().filter(t -> t[0] >= steadyFrom).mapToDouble(t -> (t[1] - t[0]) / 1e6).sorted()
                .toArray());
    }

    private void print(String what, double[] ms) {
        System.out.printf(Locale.ROOT, "  %-23s latency median %7.1f ms, p99 %7.1f ms, max %7.1f ms (%d rows)%n",
                isolation + what, ms[ms.length / 2], ms[(int) Math.ceil(ms.length * 0.99) - 1], ms[ms.length - 1],
                ms.length);
    }
}
