package io.scanflow.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The job jar on a real Flink standalone session cluster: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and two TaskManagers ({@code TaskManagerRunner}) as
 * separate JVM processes, with one slot each, the GPU external resource configured (Flink's GPU driver
 * with a stand-in discovery script, so the test runs without a GPU), and the job jar submitted with
 * Flink's own client ({@code CliFrontend run}, what {@code flink run} runs).
 *
 * <p>The job is {@code scanflow stream-generate} with sampling (temperature 1.5 on a fixture whose
 * samples then differ from greedy decoding, so a key's restored random state matters), paced so that it
 * runs for several seconds: 16 prompts, one key each, 24 sampled tokens per prompt, checkpoints every
 * second, outputs to an exactly-once file sink. Three runs must produce the same bytes: embedded Flink through the
 * {@code scanflow} launcher, the cluster undisturbed, and the cluster with one TaskManager process
 * killed (SIGKILL, by pid) after a completed checkpoint, a replacement TaskManager started, and the job
 * restored from its checkpoint.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    static final int SEQUENCES = 16;
    static final int PROMPT = 12;
    static final int MAX_NEW = 24;
    static final String MODEL = "mamba1-untied-bias";
    static final int VOCAB = 37;
    static final String JOB_NAME = "scanflow stream-generate " + MODEL;
    static final Duration RUN_TIMEOUT = Duration.ofSeconds(150);
    /** The JVM flags Flink's distribution puts in config.yaml (env.java.opts.all) for Java 17. */
    static final String FLINK_JAVA17_OPTS = "--add-exports=java.base/sun.net.util=ALL-UNNAMED"
            + " --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED"
            + " --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED"
            + " --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED"
            + " --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED"
            + " --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED"
            + " --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED"
            + " --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED"
            + " --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
            + " --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED"
            + " --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED"
            + " --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED"
            + " --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED";

    static Path root;
    static Path work;
    static Path logs;
    static Path tokens;
    static StandaloneCluster cluster;
    static Process firstTaskManager;
    static byte[] embedded;
    static List<String> embeddedLines;

    @BeforeAll
    static void startCluster() throws Exception {
        root = Path.of(System.getProperty("scanflow.root"));
        logs = Path.of(System.getProperty("scanflow.cluster.logs"));
        work = Files.createTempDirectory("scanflow-cluster-");
        tokens = work.resolve("prompts.i32");
        Files.write(tokens, prompts());

        // Stands in for Flink's nvidia-gpu-discovery.sh where there is no GPU: the same contract
        // (arguments: amount, then the configured args; output: comma-separated device indexes).
        Path fakeDiscovery = work.resolve("fake-gpu-discovery.sh");
        Files.writeString(fakeDiscovery, "#!/usr/bin/env bash\n# amount [args...] -> indexes 0..amount-1\n"
                + "seq -s, 0 $(( $1 - 1 ))\n");
        Files.setPosixFilePermissions(fakeDiscovery, PosixFilePermissions.fromString("rwxr-xr-x"));
        boolean realGpu = "nvidia".equals(System.getProperty("scanflow.test.gpu-discovery", System.getenv("SCANFLOW_TEST_GPU_DISCOVERY")));
        Path home = work.resolve("flink");
        Path discovery = realGpu ? home.resolve("plugins/external-resource-gpu/nvidia-gpu-discovery.sh") : fakeDiscovery;

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("taskmanager.numberOfTaskSlots", "1");
        settings.put("parallelism.default", "2");
        // The distribution's Java 17 flags, plus the incubating Vector API that the CPU engine's SIMD
        // kernels need in every JVM that runs them.
        settings.put("env.java.opts.all", FLINK_JAVA17_OPTS + " " + System.getProperty("scanflow.vector.flag"));
        settings.put("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        settings.put("state.backend.type", "hashmap");
        settings.put("restart-strategy.type", "fixed-delay");
        settings.put("restart-strategy.fixed-delay.attempts", "20");
        settings.put("restart-strategy.fixed-delay.delay", "1 s");
        // A killed TaskManager is noticed within seconds rather than the default 50.
        settings.put("heartbeat.interval", "1000");
        settings.put("heartbeat.timeout", "5000");
        // Flink's external resource framework: one GPU per TaskManager, found by the discovery script.
        settings.put("external-resources", "gpu");
        settings.put("external-resource.gpu.amount", "1");
        settings.put("external-resource.gpu.driver-factory.class", "org.apache.flink.externalresource.gpu.GPUDriverFactory");
        settings.put("external-resource.gpu.param.discovery-script.path", discovery.toString());
        settings.put("external-resource.gpu.param.discovery-script.args", "");

        Path runLogs = logs.resolve("run-" + System.currentTimeMillis());
        cluster = new StandaloneCluster(home, runLogs,
                Path.of(System.getProperty("scanflow.flink.classpath")), Path.of(System.getProperty("scanflow.flink.plugins")),
                settings);
        cluster.gpuPluginScripts();
        cluster.startJobManager();
        firstTaskManager = cluster.startTaskManager();
        cluster.startTaskManager();
        StandaloneCluster.await(Duration.ofSeconds(90), "two registered TaskManagers",
                () -> cluster.registeredTaskManagers() == 2);
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        if (work != null) {
            // The logs stay in target/cluster-logs; the job files go.
            try (Stream<Path> paths = Files.walk(work)) {
                for (Path p : paths.sorted(Collections.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** 16 prompts of 12 tokens for the fixture's vocabulary, from a fixed linear congruential sequence. */
    static byte[] prompts() {
        ByteBuffer b = ByteBuffer.allocate(SEQUENCES * PROMPT * 4).order(ByteOrder.LITTLE_ENDIAN);
        long x = 17;
        for (int i = 0; i < SEQUENCES * PROMPT; i++) {
            x = (x * 6364136223846793005L + 1442695040888963407L);
            b.putInt((int) ((x >>> 33) % VOCAB));
        }
        return b.array();
    }

    /** The job's arguments: sampled, paced to run for several seconds, checkpoints every second. */
    static List<String> jobArgs(Path out) {
        Path model = Path.of(System.getProperty("scanflow.testdata")).resolve("models").resolve(MODEL);
        return List.of("stream-generate", "--model", model.toString(), "--tokens", tokens.toString(),
                "--batch", String.valueOf(SEQUENCES), "--max-new", String.valueOf(MAX_NEW),
                "--temperature", "1.5", "--top-k", "20", "--seed", "11", "--engine", "cpu",
                "--parallelism", "2", "--checkpoint-interval", "1s", "--records-per-second", "3",
                "--tokens-per-second", "8", "--out", out.toString());
    }

    @Test
    @Order(1)
    void theEmbeddedRunThroughTheLauncher() throws Exception {
        Path out = work.resolve("embedded");
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("scanflow").toString()));
        cmd.addAll(jobArgs(out));
        cmd.addAll(List.of("--progress", "off"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
                .redirectOutput(cluster.logs.resolve("embedded.out").toFile())
                .redirectError(cluster.logs.resolve("embedded.err").toFile());
        pb.environment().put("SCANFLOW_LOG_FILE", cluster.logs.resolve("embedded.log").toString());
        Process p = pb.start();
        assertTrue(p.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the embedded run did not end");
        String output = Files.readString(cluster.logs.resolve("embedded.out"));
        assertEquals(0, p.exitValue(), output + Files.readString(cluster.logs.resolve("embedded.err")));
        assertTrue(output.contains("generated tokens  " + SEQUENCES * MAX_NEW), output);
        embedded = Files.readAllBytes(out.resolve("tokens.i32"));
        embeddedLines = sortedLines(out);
        assertEquals(SEQUENCES * (PROMPT + MAX_NEW) * 4, embedded.length);
        assertEquals(SEQUENCES * MAX_NEW, embeddedLines.size());
    }

    @Test
    @Order(2)
    void theClusterRunEqualsTheEmbeddedRun() throws Exception {
        Path out = work.resolve("cluster");
        // The progress bar on a cluster follows the job's accumulators (it does not change the outputs).
        Process client = submit("client-undisturbed", out, "--progress", "on");
        assertTrue(client.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the cluster run did not end");
        String output = clientOutput("client-undisturbed");
        assertEquals(0, client.exitValue(), output);
        assertTrue(output.matches("(?s).*engine\\s+cpu \\(2 subtasks\\).*"), output);
        assertTrue(output.contains(SEQUENCES * MAX_NEW + "/" + SEQUENCES * MAX_NEW + " generated tokens"),
                "the progress bar reached the total\n" + output);
        assertTrue(output.matches("(?s).*GPUs\\s+indexes 0 \\(Flink external resource 'gpu'\\).*"),
                "each TaskManager's GPU reached the job through Flink's external resource framework\n" + output);
        assertArrayEquals(embedded, Files.readAllBytes(out.resolve("tokens.i32")), "cluster vs embedded");
        assertEquals(embeddedLines, sortedLines(out), "cluster vs embedded, output lines");
    }

    @Test
    @Order(3)
    void killingATaskManagerMidJobRecoversFromTheCheckpointWithIdenticalOutputs() throws Exception {
        Path out = work.resolve("killed");
        Process client = submit("client-killed", out, "--progress", "off");
        String jobId = awaitRunningJob();
        StandaloneCluster.await(Duration.ofSeconds(60), "a completed checkpoint", () -> completedCheckpoints(jobId) >= 1);
        String state = cluster.get("/jobs/" + jobId).path("state").asText();
        assertEquals("RUNNING", state, "the job must still be running when its TaskManager dies");
        long committedBefore = committedLines(out);
        long pid = firstTaskManager.pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        assertTrue(firstTaskManager.waitFor(30, TimeUnit.SECONDS), "TaskManager " + pid + " did not die");
        cluster.startTaskManager();

        assertTrue(client.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the run with a killed TaskManager did not end");
        String output = clientOutput("client-killed");
        assertEquals(0, client.exitValue(), output);

        JsonNode checkpoints = cluster.get("/jobs/" + jobId + "/checkpoints");
        JsonNode restored = checkpoints.path("latest").path("restored");
        assertFalse(restored.isMissingNode() || restored.isNull(), "the job restored a checkpoint: " + checkpoints);
        assertFalse(restored.path("is_savepoint").asBoolean(), checkpoints.toString());
        JsonNode exceptions = cluster.get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
        assertTrue(exceptions.size() >= 1, "the TaskManager's loss failed the job's tasks: " + exceptions);
        System.out.printf("killed TaskManager pid %d with %d output lines committed (of %d); the job restored checkpoint"
                        + " %d and finished; first failure: %s%n", pid, committedBefore, SEQUENCES * MAX_NEW,
                restored.path("id").asLong(), exceptions.get(0).path("exceptionName").asText());

        assertArrayEquals(embedded, Files.readAllBytes(out.resolve("tokens.i32")), "killed vs undisturbed");
        assertEquals(embeddedLines, sortedLines(out), "killed vs undisturbed, output lines");
    }

    private static Process submit(String name, Path out, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", System.getProperty("scanflow.jobjar")));
        args.addAll(jobArgs(out));
        args.addAll(List.of(more));
        return cluster.client(name, args.toArray(String[]::new));
    }

    private static String clientOutput(String name) throws IOException {
        return Files.readString(cluster.logs.resolve(name + ".out")) + Files.readString(cluster.logs.resolve(name + ".err"));
    }

    private static String awaitRunningJob() throws InterruptedException {
        String[] id = new String[1];
        StandaloneCluster.await(Duration.ofSeconds(90), "the job to run", () -> {
            try {
                for (JsonNode job : cluster.get("/jobs/overview").path("jobs")) {
                    if (job.path("name").asText().equals(JOB_NAME) && job.path("state").asText().equals("RUNNING")) {
                        id[0] = job.path("jid").asText();
                        return true;
                    }
                }
            } catch (IOException e) {
                // not up yet
            }
            return false;
        });
        return id[0];
    }

    private static long completedCheckpoints(String jobId) {
        try {
            return cluster.get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Output lines of committed part files (hidden in-progress files are not output). */
    private static long committedLines(Path out) throws IOException {
        return partFiles(out).stream().mapToLong(p -> {
            try {
                return Files.readAllLines(p).size();
            } catch (IOException e) {
                return 0;
            }
        }).sum();
    }

    private static List<Path> partFiles(Path out) throws IOException {
        Path parts = out.resolve("parts");
        if (!Files.isDirectory(parts)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(parts)) {
            return files.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        }
    }

    /** Every committed output line, sorted: the same set whatever the parallelism, bundling or failures. */
    private static List<String> sortedLines(Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Path p : partFiles(out)) {
            lines.addAll(Files.readAllLines(p));
        }
        Collections.sort(lines);
        return lines;
    }
}
