package io.scanflow.jobs.kafka;

import com.sun.management.OperatingSystemMXBean;
import io.scanflow.flink.EngineChoice;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.jobs.audio.AudioClassifyJob;
import io.scanflow.jobs.dna.DnaClassifyJob;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Live-stream benchmark against a running Kafka broker, on embedded Flink:
 * <ol>
 *   <li>audio latency: {@code --streams} microphones publish 16 kHz PCM frames (100 ms each) in real time for
 *       {@code --seconds}; audio-classify runs live between two topics; the time from publishing the frame that
 *       completes a window to consuming its detection, for a {@code read_uncommitted} and a {@code read_committed}
 *       consumer;</li>
 *   <li>audio capacity: a backlog of the same streams through the job at parallelism 1; audio seconds per CPU
 *       second of the JVM (the streams one core keeps at real time) and per wall second;</li>
 *   <li>reads: the same two figures for dna-classify, reads published at {@code --reads-per-second}.</li>
 * </ol>
 * Usage: {@code LiveStreamBench --brokers HOST:PORT [--streams 64] [--seconds 20] [--reads-per-second 1000]
 * [--parallelism 2] [--checkpoint-interval-ms 2000] [--buffer-timeout-ms 100] [--models DIR] [--clips DIR] [--only audio|reads]}
 */
public final class LiveStreamBench {
    private static final int RATE = 16000;
    private static final int FRAME = RATE / 10;
    private static final int READ_BASES = 150;
    /** The stream (or read) sent before the measured ones; its row is not counted. */
    private static final String WARMUP = ArrivalTimes.WARMUP;
    /** Rows published this long after the clock starts count as steady state too. */
    private static final long STEADY_AFTER_NANOS = 5_000_000_000L;

    private final Map<String, String> args;
    private final String brokers;
    private final String run = Long.toString(System.currentTimeMillis(), 36);

    private LiveStreamBench(Map<String, String> args) {
        this.args = args;
        this.brokers = args.get("brokers");
        if (brokers == null) {
            throw new IllegalArgumentException("--brokers HOST:PORT is required");
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        new LiveStreamBench(args).run();
        System.exit(0); // Kafka and Flink leave non-daemon threads behind
    }

    private int option(String name, int fallback) {
        return Integer.parseInt(args.getOrDefault(name, String.valueOf(fallback)));
    }

    private void run() throws Exception {
        int streams = option("streams", 64);
        int seconds = option("seconds", 20);
        int readsPerSecond = option("reads-per-second", 1000);
        Path models = Path.of(args.getOrDefault("models", "models"));
        List<short[]> clips = clips(Path.of(args.getOrDefault("clips", "testdata/audio/digits")));
        System.out.printf(Locale.ROOT, "live-stream bench, %s, %d processors, broker %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), brokers);
        String only = args.getOrDefault("only", "all");
        if (!only.equals("reads")) {
            Path audioModel = models.resolve("digit-classifier");
            audioLatency(audioModel, clips, streams, seconds);
            audioCapacity(audioModel, clips, streams, seconds);
        }
        if (!only.equals("audio")) {
            Path dnaModel = models.resolve("dna-apes");
            readLatency(dnaModel, readsPerSecond, seconds);
            readCapacity(dnaModel, readsPerSecond * seconds);
        }
    }

    private void audioLatency(Path model, List<short[]> clips, int streams, int seconds) throws Exception {
        String in = topic("mics", 4);
        String out = topic("detections", 4);
        StreamExecutionEnvironment env = environment(option("parallelism", 2));
        AudioTopics.write(AudioClassifyJob.classify(AudioTopics.frames(env, topic(in), KafkaSettings.none(), RATE, false),
                model, EngineChoice.CPU), topic(out), KafkaSettings.none());
        JobClient job = env.executeAsync("bench audio-classify");
        // Window i of a stream ends at sample 8000 i + 16000 (1 s windows every 0.5 s): its last frame.
        int windows = (seconds * RATE - RATE) / (RATE / 2) + 1;
        Map<String, Long> published = new ConcurrentHashMap<>();
        ArrivalTimes uncommitted = new ArrivalTimes(brokers, job, out, "read_uncommitted", streams * windows);
        ArrivalTimes committed = new ArrivalTimes(brokers, job, out, "read_committed", streams * windows);
        long steadyFrom;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            // The clock starts once a first detection has come through: the job is running and the source reads.
            for (PcmFrame f : PcmFrame.split(WARMUP, RATE, clips.get(0), FRAME)) {
                producer.send(new ProducerRecord<>(in, f.key(), f.value()));
            }
            producer.flush();
            committed.awaitWarmup();
            long start = System.nanoTime();
            steadyFrom = start + STEADY_AFTER_NANOS;
            for (int frame = 0; frame < seconds * 10; frame++) {
                long due = start + frame * 100_000_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // real-time pacing of the microphones
                }
                long now = System.nanoTime();
                for (int s = 0; s < streams; s++) {
                    short[] clip = clips.get(s % clips.size());
                    short[] samples = new short[FRAME];
                    for (int i = 0; i < FRAME; i++) {
                        samples[i] = clip[(int) (((long) frame * FRAME + i + 977L * s) % clip.length)];
                    }
                    PcmFrame f = new PcmFrame("mic-" + s, 1, RATE, (long) frame * FRAME, samples, false);
                    published.put(f.stream() + "#" + frame, now);
                    producer.send(new ProducerRecord<>(in, f.key(), f.value()));
                }
            }
            producer.flush();
        }
        Function<String, Long> publishTime = row -> {
            String[] f = row.split("\t");
            int window = Integer.parseInt(f[2]);
            int lastFrame = (window * (RATE / 2) + RATE - 1) / FRAME;
            return published.get(f[1] + "#" + lastFrame);
        };
        uncommitted.await();
        committed.await();
        job.cancel().get();
        System.out.printf(Locale.ROOT, "%naudio: %d streams x %d s at 16 kHz, frames of 100 ms, parallelism %d, checkpoints"
                        + " every %d ms, buffer timeout %d ms: %d detections%n", streams, seconds, option("parallelism", 2),
                option("checkpoint-interval-ms", 2000), option("buffer-timeout-ms", 100), streams * windows);
        uncommitted.report(publishTime, steadyFrom);
        committed.report(publishTime, steadyFrom);
    }

    private void audioCapacity(Path model, List<short[]> clips, int streams, int seconds) throws Exception {
        String in = topic("mics-backlog", 4);
        String out = topic("detections-backlog", 4);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int s = 0; s < streams; s++) {
                short[] samples = new short[seconds * RATE];
                short[] clip = clips.get(s % clips.size());
                for (int i = 0; i < samples.length; i++) {
                    samples[i] = clip[i % clip.length];
                }
                for (PcmFrame f : PcmFrame.split("mic-" + s, RATE, samples, FRAME)) {
                    producer.send(new ProducerRecord<>(in, f.key(), f.value()));
                }
            }
            producer.flush();
        }
        StreamExecutionEnvironment env = environment(1);
        AudioTopics.write(AudioClassifyJob.classify(AudioTopics.frames(env, topic(in), KafkaSettings.none(), RATE, true),
                model, EngineChoice.CPU), topic(out), KafkaSettings.none());
        double[] cost = timed(env, "bench audio-classify backlog");
        double audio = (double) streams * seconds;
        System.out.printf(Locale.ROOT, "audio backlog, parallelism 1: %.0f s of audio in %.1f s wall, %.1f CPU s:"
                        + " %.1f streams at real time per core (%.1f per wall second)%n", audio, cost[0], cost[1],
                audio / cost[1], audio / cost[0]);
    }

    private void readLatency(Path model, int readsPerSecond, int seconds) throws Exception {
        String in = topic("reads", 4);
        String out = topic("predictions", 4);
        StreamExecutionEnvironment env = environment(option("parallelism", 2));
        DnaClassifyJob.Settings settings = dnaSettings(model, in);
        DataStream<SourceRecord> records = ReadTopics.reads(env, topic(in), KafkaSettings.none(), false);
        ReadTopics.write(DnaClassifyJob.outputs(records, settings).union(), topic(out), KafkaSettings.none());
        JobClient job = env.executeAsync("bench dna-classify");
        List<FastqMessage> reads = reads(model, readsPerSecond * seconds);
        Map<String, Long> published = new ConcurrentHashMap<>();
        ArrivalTimes uncommitted = new ArrivalTimes(brokers, job, out, "read_uncommitted", reads.size());
        ArrivalTimes committed = new ArrivalTimes(brokers, job, out, "read_committed", reads.size());
        long steadyFrom;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            FastqMessage warmup = reads(model, 1).get(0);
            producer.send(new ProducerRecord<>(in, warmup.key(), new FastqMessage(warmup.sample(), WARMUP,
                    warmup.bases(), warmup.qualities()).value()));
            producer.flush();
            committed.awaitWarmup();
            long start = System.nanoTime();
            steadyFrom = start + STEADY_AFTER_NANOS;
            int perTick = Math.max(1, readsPerSecond / 100);
            for (int i = 0; i < reads.size(); i++) {
                if (i % perTick == 0) {
                    long wait = start + (long) (i / perTick) * 10_000_000L - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // the sequencer's pace
                    }
                }
                FastqMessage r = reads.get(i);
                published.put(r.id(), System.nanoTime());
                producer.send(new ProducerRecord<>(in, r.key(), r.value()));
            }
            producer.flush();
        }
        uncommitted.await();
        committed.await();
        job.cancel().get();
        System.out.printf(Locale.ROOT, "%nreads: %d reads/s of %d bases for %d s, parallelism %d: %d predictions%n",
                readsPerSecond, READ_BASES, seconds, option("parallelism", 2), reads.size());
        Function<String, Long> publishTime = row -> published.get(row.split("\t")[1]);
        uncommitted.report(publishTime, steadyFrom);
        committed.report(publishTime, steadyFrom);
    }

    private void readCapacity(Path model, int count) throws Exception {
        String in = topic("reads-backlog", 4);
        String out = topic("predictions-backlog", 4);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (FastqMessage r : reads(model, count)) {
                producer.send(new ProducerRecord<>(in, r.key(), r.value()));
            }
            producer.flush();
        }
        StreamExecutionEnvironment env = environment(1);
        DnaClassifyJob.Settings settings = dnaSettings(model, in);
        DataStream<SourceRecord> records = ReadTopics.reads(env, topic(in), KafkaSettings.none(), true);
        ReadTopics.write(DnaClassifyJob.outputs(records, settings).union(), topic(out), KafkaSettings.none());
        double[] cost = timed(env, "bench dna-classify backlog");
        System.out.printf(Locale.ROOT, "reads backlog, parallelism 1: %d reads in %.1f s wall, %.1f CPU s: %.0f reads/s"
                + " per core (%.0f per wall second)%n", count, cost[0], cost[1], count / cost[1], count / cost[0]);
    }

    private DnaClassifyJob.Settings dnaSettings(Path model, String in) {
        DnaClassifyJob.Settings d = DnaClassifyJob.settings(List.of(Path.of(topic(in).toString())), model);
        return new DnaClassifyJob.Settings(d.inputs(), d.model(), d.readOptions(),
                d.modelSpec().withEngine(EngineChoice.CPU), d.scanOptions());
    }

    /** Wall and JVM CPU seconds of running {@code env}'s job to its end. */
    private static double[] timed(StreamExecutionEnvironment env, String name) throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long wall = System.nanoTime();
        env.execute(name);
        return new double[] {(System.nanoTime() - wall) / 1e9, (os.getProcessCpuTime() - cpu) / 1e9};
    }

    /** Reads cut from the model's training reference is not shipped here: random bases, one sample per 100 reads. */
    private static List<FastqMessage> reads(Path model, int count) {
        java.util.Random random = new java.util.Random(7);
        List<FastqMessage> reads = new ArrayList<>(count);
        char[] bases = {'A', 'C', 'G', 'T'};
        for (int i = 0; i < count; i++) {
            char[] b = new char[READ_BASES];
            for (int j = 0; j < b.length; j++) {
                b[j] = bases[random.nextInt(4)];
            }
            reads.add(new FastqMessage("sample-" + i / 100, "r" + i, new String(b), "I".repeat(READ_BASES)));
        }
        return reads;
    }

    private StreamExecutionEnvironment environment(int parallelism) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(option("checkpoint-interval-ms", 2000)));
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(ExecutionOptions.BUFFER_TIMEOUT, Duration.ofMillis(option("buffer-timeout-ms", 100)));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // a failure ends the bench with its cause
        return StreamExecutionEnvironment.createLocalEnvironment(conf);
    }

    private String topic(String name, int partitions) throws Exception {
        String topic = "bench-" + run + "-" + name;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        return topic;
    }

    private KafkaTopic topic(String name) {
        return new KafkaTopic(brokers, name);
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", brokers);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("linger.ms", "0");
        return new KafkaProducer<>(p);
    }

    private static List<short[]> clips(Path dir) throws Exception {
        List<short[]> clips = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path wav : files.sorted().toList()) {
                clips.add(PcmClips.read(wav));
            }
        }
        return clips;
    }
}
