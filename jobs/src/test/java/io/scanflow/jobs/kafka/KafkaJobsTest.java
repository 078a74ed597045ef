package io.scanflow.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.EngineChoice;
import io.scanflow.jobs.audio.AudioClassifyJob;
import io.scanflow.jobs.cli.ScanflowCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classify jobs between topics of a real Kafka broker (KRaft, a child process): the rows a
 * {@code read_committed} consumer sees are those of the same input from files, each once.
 */
class KafkaJobsTest {
    static final Path TESTDATA = Path.of(System.getProperty("scanflow.testdata", "../testdata"));
    static final Path MODELS = TESTDATA.resolveSibling("models");
    static final Duration GUARD = Duration.ofMinutes(3);

    @TempDir
    static Path dir;
    static KafkaBroker broker;
    static TopicClient topics;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(dir.resolve("broker"));
        topics = new TopicClient(broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static int run(String... args) {
        return ScanflowCommand.newCommandLine().execute(args);
    }

    String uri(String topic) {
        return "kafka://" + broker.bootstrapServers() + "/" + topic;
    }

    @Test
    void liveAudioFramesGiveTheDetectionsOfTheFilesOnceEach() throws Exception {
        Path model = MODELS.resolve("digit-classifier");
        List<Path> clips;
        try (Stream<Path> s = Files.list(TESTDATA.resolve("audio/digits"))) {
            clips = s.sorted().limit(12).toList();
        }
        // Three 4 s streams (four spoken digits each): seven windows a stream, most before the stream ends.
        Map<String, short[]> streams = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            streams.put("mic" + i + ".wav", PcmClips.concat(clips.subList(4 * i, 4 * i + 4)));
        }
        Path fromFiles = dir.resolve("audio-files");
        List<String> args = new ArrayList<>(List.of("audio-classify", "--model", model.toString(), "--engine", "cpu",
                "--out", fromFiles.toString()));
        for (Map.Entry<String, short[]> e : streams.entrySet()) {
            args.addAll(List.of("--input", PcmClips.write(dir.resolve(e.getKey()), 16000, e.getValue()).toString()));
        }
        assertEquals(0, run(args.toArray(String[]::new)));
        List<String> expected = rows(fromFiles.resolve("windows.tsv"), "window");
        assertEquals(21, expected.size(), expected.toString());

        broker.createTopic("mics", 3);
        broker.createTopic("detections", 2);
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (Map.Entry<String, short[]> e : streams.entrySet()) {
            for (PcmFrame f : PcmFrame.split(e.getKey(), 16000, e.getValue(), 1600)) {
                records.add(Map.entry(f.key(), f.value()));
            }
        }
        topics.publish("mics", records);

        StreamExecutionEnvironment env = environment();
        KafkaSettings settings = KafkaSettings.none();
        AudioClassifyJob.Outputs outputs = AudioClassifyJob.classify(
                AudioTopics.frames(env, KafkaTopic.parse("--input", Path.of(uri("mics"))), settings, 16000, false),
                model, EngineChoice.CPU);
        AudioTopics.write(outputs, KafkaTopic.parse("--out", Path.of(uri("detections"))), settings);
        JobClient job = env.executeAsync("live audio-classify");
        List<String> seen;
        try {
            seen = topics.readCommitted("detections", rows -> rows.size() >= expected.size(), GUARD);
        } finally {
            job.cancel().get();
        }
        assertEquals(expected, seen.stream().sorted().toList());
    }

    @Test
    void readsFromATopicAndReadsToATopicMatchTheFileRun() throws Exception {
        Path model = MODELS.resolve("dna-apes");
        List<Path> fastq = List.of(dir.resolve("alpha.fastq"), dir.resolve("beta.fastq"));
        List<FastqMessage> reads = ReadsFromReference.write(TESTDATA.resolve("genomics/apes-mtdna.fa"), fastq);
        Path fromFiles = dir.resolve("dna-files");
        assertEquals(0, run("dna-classify", "--model", model.toString(), "--engine", "cpu", "--input",
                fastq.get(0).toString(), fastq.get(1).toString(), "--out", fromFiles.toString()));

        // A bounded read of the topic into a folder: the same files.
        broker.createTopic("reads", 3);
        topics.publish("reads", reads.stream().map(r -> Map.entry(r.key(), r.value())).toList());
        Path fromTopic = dir.resolve("dna-topic");
        assertEquals(0, run("dna-classify", "--model", model.toString(), "--engine", "cpu", "--input", uri("reads"),
                "--out", fromTopic.toString()));
        for (String file : List.of("predictions.tsv", "samples.tsv")) {
            assertEquals(body(fromFiles.resolve(file)), body(fromTopic.resolve(file)), file);
        }

        // The files to a topic: the job ends after its last rows are committed. A read's row is its own
        // call (the best label, before mates are paired and --min-probability applies), a sample's its vote.
        broker.createTopic("predictions", 2);
        assertEquals(0, run("dna-classify", "--model", model.toString(), "--engine", "cpu", "--input",
                fastq.get(0).toString(), fastq.get(1).toString(), "--out", uri("predictions"),
                "--checkpoint-interval", "500ms"));
        List<String[]> calls = splitRows(fromFiles.resolve("predictions.tsv"));
        List<String> samples = splitRows(fromFiles.resolve("samples.tsv")).stream().map(r -> r[0]).sorted().toList();
        List<String> seen = topics.readCommitted("predictions", r -> r.size() >= calls.size() + samples.size(), GUARD);
        // read_id sample predicted probability best -> read read_id sample best probability
        List<String> expectedReads = calls.stream().map(c -> String.join("\t", "read", c[0], c[1], c[4], c[3]))
                .sorted().toList();
        assertEquals(expectedReads, seen.stream().filter(l -> l.startsWith("read\t")).sorted().toList());
        assertEquals(samples, seen.stream().filter(l -> l.startsWith("sample\t")).map(l -> l.split("\t")[1])
                .sorted().toList());
        assertTrue(calls.size() > 100, "reads classified: " + calls.size());
    }

    /** A TSV file's rows without the header, as an output topic carries them, sorted. */
    static List<String> rows(Path tsv, String kind) throws IOException {
        List<String> lines = Files.readAllLines(tsv);
        return lines.subList(1, lines.size()).stream().map(l -> kind + "\t" + l).sorted().toList();
    }

    /** A TSV file's lines after its provenance comment (which names the command line, so differs). */
    static List<String> body(Path tsv) throws IOException {
        return Files.readAllLines(tsv).stream().filter(l -> !l.startsWith("#")).toList();
    }

    /** A TSV file's rows, split, without the provenance comment and the header. */
    static List<String[]> splitRows(Path tsv) throws IOException {
        List<String> lines = body(tsv);
        return lines.subList(1, lines.size()).stream().map(l -> l.split("\t")).toList();
    }

    static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        return StreamExecutionEnvironment.createLocalEnvironment(conf);
    }
}
