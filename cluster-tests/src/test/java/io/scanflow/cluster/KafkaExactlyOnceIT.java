package io.scanflow.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.jobs.kafka.KafkaBroker;
import io.scanflow.jobs.kafka.PcmClips;
import io.scanflow.jobs.kafka.PcmFrame;
import io.scanflow.jobs.kafka.TopicClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exactly once from topic to topic on the standalone cluster of {@link StandaloneClusterIT}: audio-classify
 * runs live from a topic of PCM frames to a topic of detections (transactional sink) while TaskManagers
 * are killed (SIGKILL) four times and the Kafka broker (a real KRaft broker, a child JVM) is killed and
 * restarted once. A {@code read_committed} consumer then sees every detection once, the same rows as the
 * same audio classified from files through the {@code scanflow} launcher with no failures.
 *
 * <p>The audio goes out in rounds of one second per stream; each fault strikes right after a round is
 * published, while the job works on it, and the next round waits until the detections of all audio so far
 * are committed, so every fault finds the job recovered from the one before, however slow the machine.
 */
class KafkaExactlyOnceIT {
    static final int STREAMS = 4;
    static final int SECONDS = 8;
    static final int RATE = 16000;
    static final String JOB_NAME = "scanflow audio-classify";
    /** What happens right after round r (1-based) is published. */
    static final Map<Integer, String> FAULTS = Map.of(2, "kill", 3, "kill", 4, "broker", 5, "kill", 6, "kill");
    static final Duration GUARD = Duration.ofMinutes(3);

    static KafkaBroker broker;
    static TopicClient topics;

    @BeforeAll
    static void start() throws Exception {
        StandaloneClusterIT.taskManagers.clear();
        StandaloneClusterIT.startCluster();
        broker = KafkaBroker.start(StandaloneClusterIT.work.resolve("kafka"));
        topics = new TopicClient(broker.bootstrapServers());
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        StandaloneClusterIT.stopCluster();
    }

    @Test
    void killedTaskManagersAndARestartedBrokerLeaveEveryDetectionOnce() throws Exception {
        Path work = StandaloneClusterIT.work;
        StandaloneCluster cluster = StandaloneClusterIT.cluster;
        Path model = StandaloneClusterIT.root.resolve("models/digit-classifier");
        Map<String, short[]> streams = streams(Path.of(System.getProperty("scanflow.testdata")).resolve("audio/digits"));
        List<String> expected = fileRun(model, streams, work, cluster);

        broker.createTopic("mics", 4);
        broker.createTopic("detections", 2);
        String brokers = broker.bootstrapServers();
        Process client = cluster.client("client-kafka", "run", "-d", System.getProperty("scanflow.jobjar"),
                "audio-classify", "--model", model.toString(), "--engine", "cpu", "--parallelism", "2",
                "--checkpoint-interval", "1s", "--input", "kafka://" + brokers + "/mics",
                "--out", "kafka://" + brokers + "/detections");
        assertTrue(client.waitFor(120, TimeUnit.SECONDS), "the job was not submitted");
        assertEquals(0, client.exitValue(), Files.readString(cluster.logs.resolve("client-kafka.err")));
        String jobId = StandaloneClusterIT.awaitRunningJob(JOB_NAME);

        Random random = new Random(StandaloneClusterIT.KILL_SEED);
        List<String> faults = new ArrayList<>();
        for (int round = 1; round <= SECONDS; round++) {
            publishRound(streams, round);
            String fault = FAULTS.get(round);
            if ("kill".equals(fault)) {
                Process victim = StandaloneClusterIT.taskManagers.remove(random.nextInt(StandaloneClusterIT.taskManagers.size()));
                victim.destroyForcibly();
                assertTrue(victim.waitFor(30, TimeUnit.SECONDS), "TaskManager " + victim.pid() + " did not die");
                StandaloneClusterIT.taskManagers.add(cluster.startTaskManager());
                faults.add("round " + round + ": TaskManager pid " + victim.pid() + " killed");
            } else if ("broker".equals(fault)) {
                broker.restart();
                faults.add("round " + round + ": broker killed and restarted");
            }
            // Windows of 1 s every 0.5 s: r seconds of audio complete 2r - 1 windows per stream; the last
            // round ends the streams, which adds their final windows.
            int target = round == SECONDS ? expected.size() : STREAMS * (2 * round - 1);
            topics.readCommitted("detections", rows -> rows.size() >= target, GUARD);
            assertFalse(StandaloneClusterIT.jobEnded(jobId), "the live job ended after " + faults);
        }
        List<String> seen = topics.readCommitted("detections", rows -> rows.size() >= expected.size(), GUARD);
        Process cancel = cluster.client("client-cancel", "cancel", jobId);
        assertTrue(cancel.waitFor(120, TimeUnit.SECONDS), "the job was not cancelled");

        int failovers = cluster.failovers(jobId);
        System.out.printf("Kafka exactly-once on the cluster: %s; the job failed over %d times; %d detections committed%n",
                String.join(", ", faults), failovers, seen.size());
        assertTrue(failovers >= 4, "every kill failed the job's tasks: " + failovers + " failures");
        assertEquals(expected, seen.stream().sorted().toList(), "committed detections vs the file run");
    }

    /** Four 8 s streams, each eight spoken digits in a row. */
    static Map<String, short[]> streams(Path digits) throws Exception {
        List<Path> clips;
        try (Stream<Path> s = Files.list(digits)) {
            clips = s.sorted().toList();
        }
        Map<String, short[]> streams = new LinkedHashMap<>();
        for (int i = 0; i < STREAMS; i++) {
            List<Path> mine = new ArrayList<>();
            for (int k = 0; k < SECONDS; k++) {
                mine.add(clips.get((i * SECONDS + k) % clips.size()));
            }
            streams.put("mic" + i + ".wav", PcmClips.concat(mine));
        }
        return streams;
    }

    /** The detections of the same audio from WAV files, through the launcher on embedded Flink, as topic rows. */
    static List<String> fileRun(Path model, Map<String, short[]> streams, Path work, StandaloneCluster cluster)
            throws Exception {
        Path wavs = Files.createDirectories(work.resolve("kafka-wavs"));
        Path out = work.resolve("kafka-file-run");
        List<String> cmd = new ArrayList<>(List.of("bash", StandaloneClusterIT.root.resolve("scanflow").toString(),
                "audio-classify", "--model", model.toString(), "--engine", "cpu", "--out", out.toString()));
        for (Map.Entry<String, short[]> e : streams.entrySet()) {
            cmd.addAll(List.of("--input", PcmClips.write(wavs.resolve(e.getKey()), RATE, e.getValue()).toString()));
        }
        Process p = new ProcessBuilder(cmd).directory(work.toFile())
                .redirectOutput(cluster.logs.resolve("kafka-file-run.out").toFile())
                .redirectError(cluster.logs.resolve("kafka-file-run.err").toFile()).start();
        assertTrue(p.waitFor(StandaloneClusterIT.RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the file run did not end");
        assertEquals(0, p.exitValue(), Files.readString(cluster.logs.resolve("kafka-file-run.err")));
        List<String> lines = Files.readAllLines(out.resolve("windows.tsv"));
        return lines.subList(1, lines.size()).stream().map(l -> "window\t" + l).sorted().toList();
    }

    /** Second {@code round} of every stream, in frames of 100 ms; the last round ends the streams. */
    static void publishRound(Map<String, short[]> streams, int round) {
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (Map.Entry<String, short[]> e : streams.entrySet()) {
            for (PcmFrame f : PcmFrame.split(e.getKey(), RATE, e.getValue(), RATE / 10)) {
                if (f.sampleOffset() >= (round - 1L) * RATE && f.sampleOffset() < (long) round * RATE) {
                    records.add(Map.entry(f.key(), f.value()));
                }
            }
        }
        topics.publish("mics", records);
    }
}
