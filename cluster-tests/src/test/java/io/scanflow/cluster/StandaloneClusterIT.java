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
import java.util.Random;
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
 * separate JVM processes, with one slot each, the GPU external resource configured as on a host with two
 * GPUs and one TaskManager per GPU (Flink's GPU driver and discovery script in coordination mode, over a
 * stand-in {@code nvidia-smi}, so the test runs without a GPU), and the job jar submitted with
 * Flink's own client ({@code CliFrontend run}, what {@code flink run} runs).
 *
 * <p>The job is {@code scanflow stream-generate} with sampling (temperature 1.5 on a fixture whose
 * samples then differ from greedy decoding, so a key's restored random state matters), paced so that it
 * runs for several seconds: 16 prompts, one key each, 24 sampled tokens per prompt, checkpoints every
 * second, outputs to an exactly-once file sink. Three runs must produce the same bytes: embedded Flink through the
 * {@code scanflow} launcher, the cluster undisturbed, and the cluster with a TaskManager process killed
 * (SIGKILL, by pid) ten times during one job, a replacement TaskManager started each time, and the job
 * restored from its latest checkpoint each time. Kills are keyed to the job's committed output (kill k
 * once k / 22 of it is committed, then a seeded random delay), not to the clock, so the job outlasts
 * them on a slow machine as on a fast one.
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
    static final String RECORDS_PER_SECOND = "3";
    static final String TOKENS_PER_SECOND = "8";
    /** About 70 s of undisturbed work: 16 prompts at 0.3 per second, 24 tokens each at 1.5 per second. */
    static final String SLOW_RECORDS_PER_SECOND = "0.3";
    static final String SLOW_TOKENS_PER_SECOND = "1.5";
    static final int KILLS = 10;
    static final long KILL_SEED = Long.getLong("scanflow.cluster.kill-seed", 20261207L);
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
    /** Whether the TaskManagers discover the machine's real GPUs (else a stand-in host with two). */
    static boolean realGpu;
    static Path work;
    static Path logs;
    static Path tokens;
    static StandaloneCluster cluster;
    /** The live TaskManager processes. */
    static final List<Process> taskManagers = new ArrayList<>();
    static byte[] embedded;
    static List<String> embeddedLines;

    @BeforeAll
    static void startCluster() throws Exception {
        root = Path.of(System.getProperty("scanflow.root"));
        logs = Path.of(System.getProperty("scanflow.cluster.logs"));
        work = Files.createTempDirectory("scanflow-cluster-");
        tokens = work.resolve("prompts.i32");
        Files.write(tokens, prompts());

        // One TaskManager per GPU on a host with two GPUs: Flink's own discovery script in coordination
        // mode, so the TaskManagers take different devices; where there is no GPU, a stand-in nvidia-smi
        // (what the script asks) lists two.
        realGpu = "nvidia".equals(System.getProperty("scanflow.test.gpu-discovery", System.getenv("SCANFLOW_TEST_GPU_DISCOVERY")));
        Path home = work.resolve("flink");
        Path discovery = home.resolve("plugins/external-resource-gpu/nvidia-gpu-discovery.sh");
        Path tools = Files.createDirectories(work.resolve("bin"));
        Path nvidiaSmi = tools.resolve("nvidia-smi");
        Files.writeString(nvidiaSmi, "#!/usr/bin/env bash\n# --query-gpu=index --format=csv,noheader on a host with two GPUs\n"
                + "printf '0\\n1\\n'\n");
        Files.setPosixFilePermissions(nvidiaSmi, PosixFilePermissions.fromString("rwxr-xr-x"));
        String discoveryArgs = realGpu ? "" : "--enable-coordination-mode --coordination-file " + work.resolve("gpu-coordination");

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("taskmanager.numberOfTaskSlots", "1");
        settings.put("parallelism.default", "2");
        // The distribution's Java 17 flags, plus the incubating Vector API that the CPU engine's SIMD
        // kernels need in every JVM that runs them.
        settings.put("env.java.opts.all", FLINK_JAVA17_OPTS + " " + System.getProperty("scanflow.vector.flag"));
        settings.put("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        settings.put("state.backend.type", "hashmap");
        settings.put("restart-strategy.type", "fixed-delay");
        settings.put("restart-strategy.fixed-delay.attempts", "100");
        settings.put("restart-strategy.fixed-delay.delay", "1 s");
        // A killed TaskManager is noticed within seconds rather than the default 50.
        settings.put("heartbeat.interval", "1000");
        settings.put("heartbeat.timeout", "5000");
        // Flink's external resource framework: one GPU per TaskManager, found by the discovery script.
        settings.put("external-resources", "gpu");
        settings.put("external-resource.gpu.amount", "1");
        settings.put("external-resource.gpu.driver-factory.class", "org.apache.flink.externalresource.gpu.GPUDriverFactory");
        settings.put("external-resource.gpu.param.discovery-script.path", discovery.toString());
        settings.put("external-resource.gpu.param.discovery-script.args", discoveryArgs);

        Path runLogs = logs.resolve("run-" + System.currentTimeMillis());
        cluster = new StandaloneCluster(home, runLogs,
                Path.of(System.getProperty("scanflow.flink.classpath")), Path.of(System.getProperty("scanflow.flink.plugins")),
                settings);
        cluster.gpuPluginScripts();
        if (!realGpu) {
            cluster.prependToPath(tools);
        }
        cluster.startJobManager();
        taskManagers.add(cluster.startTaskManager());
        taskManagers.add(cluster.startTaskManager());
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
        return jobArgs(out, RECORDS_PER_SECOND, TOKENS_PER_SECOND);
    }

    static List<String> jobArgs(Path out, String recordsPerSecond, String tokensPerSecond) {
        Path model = Path.of(System.getProperty("scanflow.testdata")).resolve("models").resolve(MODEL);
        return List.of("stream-generate", "--model", model.toString(), "--tokens", tokens.toString(),
                "--batch", String.valueOf(SEQUENCES), "--max-new", String.valueOf(MAX_NEW),
                "--temperature", "1.5", "--top-k", "20", "--seed", "11", "--engine", "cpu",
                "--parallelism", "2", "--checkpoint-interval", "1s", "--records-per-second", recordsPerSecond,
                "--tokens-per-second", tokensPerSecond, "--out", out.toString());
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
        assertTrue(output.matches("(?s).*GPUs\\s+indexes " + (realGpu ? "0" : "0,1") + " \\(Flink external resource 'gpu'\\).*"),
                "each TaskManager's own GPU reached its subtask through Flink's external resource framework\n" + output);
        assertArrayEquals(embedded, Files.readAllBytes(out.resolve("tokens.i32")), "cluster vs embedded");
        assertEquals(embeddedLines, sortedLines(out), "cluster vs embedded, output lines");
    }

    @Test
    @Order(3)
    void tenTaskManagerKillsAtRandomMomentsRecoverWithIdenticalOutputs() throws Exception {
        Path out = work.resolve("killed");
        // Slower pacing than the other runs (pacing does not change the tokens), so the job outlasts the kills.
        Process client = submitPaced("client-killed", out, SLOW_RECORDS_PER_SECOND, SLOW_TOKENS_PER_SECOND, "--progress", "off");
        String jobId = awaitRunningJob(JOB_NAME);
        Random random = new Random(KILL_SEED);
        List<String> kills = new ArrayList<>();
        long total = (long) SEQUENCES * MAX_NEW;
        while (kills.size() < KILLS) {
            // Kill k waits for k / (2 (KILLS + 1)) of the output to be committed and for every task to run
            // again after the last failover, so every kill fails running tasks of its own failover, and the
            // last one leaves half the job still to run however slow the machine; then a random moment.
            long target = (long) Math.ceil(total * (kills.size() + 1) / (2.0 * (KILLS + 1)));
            StandaloneCluster.await(Duration.ofSeconds(180), target + " committed lines before kill " + (kills.size() + 1),
                    () -> (committedLinesOrZero(out) >= target && allTasksRunning(jobId)) || jobEnded(jobId));
            assertFalse(jobEnded(jobId), "the job must outlast " + KILLS + " kills; it ended after " + kills);
            Thread.sleep(random.nextInt(1500));
            Process victim = taskManagers.remove(random.nextInt(taskManagers.size()));
            long committed = committedLines(out);
            int failoversBefore = failovers(jobId);
            victim.destroyForcibly();
            assertTrue(victim.waitFor(30, TimeUnit.SECONDS), "TaskManager " + victim.pid() + " did not die");
            kills.add(String.format("pid %d with %d of %d lines committed", victim.pid(), committed, total));
            taskManagers.add(cluster.startTaskManager());
            // The job notices a kill late when little data flows (a lost connection, or the heartbeat
            // timeout): until it has, its tasks still look running, and the next kill would join this
            // kill's failover.
            StandaloneCluster.await(Duration.ofSeconds(60), "the job failing over after kill " + kills.size(),
                    () -> failovers(jobId) > failoversBefore || jobEnded(jobId));
        }

        assertTrue(client.waitFor(RUN_TIMEOUT.toSeconds() * 3, TimeUnit.SECONDS), "the run with killed TaskManagers did not end");
        String output = clientOutput("client-killed");
        assertEquals(0, client.exitValue(), output);
        assertTrue(output.matches("(?s).*GPUs\\s+indexes " + (realGpu ? "0" : "0,1") + " .*"),
                "each replacement TaskManager took the GPU its killed predecessor held\n" + output);

        JsonNode checkpointStats = cluster.get("/jobs/" + jobId + "/checkpoints");
        JsonNode restored = checkpointStats.path("latest").path("restored");
        assertFalse(restored.isMissingNode() || restored.isNull(), "the job restored a checkpoint: " + checkpointStats);
        int recorded = cluster.failovers(jobId);
        assertTrue(recorded >= KILLS, "every kill failed the job's tasks: " + recorded + " failures");
        System.out.printf("%d TaskManager kills (SIGKILL, seed %d), each at a random moment once more output was committed:%n  %s%n"
                        + "the job failed over %d times, last restored checkpoint %d, and finished%n", KILLS, KILL_SEED,
                String.join("\n  ", kills), recorded, restored.path("id").asLong());

        assertArrayEquals(embedded, Files.readAllBytes(out.resolve("tokens.i32")), "killed vs embedded");
        assertEquals(embeddedLines, sortedLines(out), "killed vs embedded, output lines");
    }

    private static long committedLinesOrZero(Path out) {
        try {
            return committedLines(out);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Whether the job and all its unfinished tasks run: after a restore the committed output already passes the next
     * kill's mark, and a kill while the job is still restarting fails no task (nothing runs there).
     */
    private static boolean allTasksRunning(String jobId) {
        try {
            JsonNode job = cluster.get("/jobs/" + jobId);
            if (!job.path("state").asText().equals("RUNNING") || job.path("vertices").isEmpty()) {
                return false;
            }
            for (JsonNode vertex : job.path("vertices")) {
                // A source that has emitted everything is FINISHED, and stays so across restores.
                if (!vertex.path("status").asText().matches("RUNNING|FINISHED")) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@link StandaloneCluster#failovers}, or -1 while the REST call fails. */
    private static int failovers(String jobId) {
        try {
            return cluster.failovers(jobId);
        } catch (IOException e) {
            return -1;
        }
    }

    static boolean jobEnded(String jobId) {
        try {
            return cluster.get("/jobs/" + jobId).path("state").asText().matches("FINISHED|FAILED|CANCELED");
        } catch (IOException e) {
            return false;
        }
    }

    private static Process submit(String name, Path out, String... more) throws IOException {
        return submitPaced(name, out, RECORDS_PER_SECOND, TOKENS_PER_SECOND, more);
    }

    private static Process submitPaced(String name, Path out, String recordsPerSecond, String tokensPerSecond,
                                       String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", System.getProperty("scanflow.jobjar")));
        args.addAll(jobArgs(out, recordsPerSecond, tokensPerSecond));
        args.addAll(List.of(more));
        return cluster.client(name, args.toArray(String[]::new));
    }

    private static String clientOutput(String name) throws IOException {
        return Files.readString(cluster.logs.resolve(name + ".out")) + Files.readString(cluster.logs.resolve(name + ".err"));
    }

    static String awaitRunningJob(String name) throws InterruptedException {
        String[] id = new String[1];
        StandaloneCluster.await(Duration.ofSeconds(90), "the job to run", () -> {
            try {
                for (JsonNode job : cluster.get("/jobs/overview").path("jobs")) {
                    if (job.path("name").asText().equals(name) && job.path("state").asText().equals("RUNNING")) {
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
