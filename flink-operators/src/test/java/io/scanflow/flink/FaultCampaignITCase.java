package io.scanflow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scanflow.flink.faults.Faults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault campaign: seeded runs of the classify-and-generate job (sampled, on a fixture whose samples
 * depend on the random state; 1-3 tokens per round, paced or not), each on the hashmap or the RocksDB
 * backend at parallelism 1-4, its input released in segments ({@link SourceGate}). Between segments a
 * run may arm a failure at a random site
 * and event ({@link Faults.Site}: source, engine, slot allocation, operator outputs, sink write and
 * commit, snapshot, checkpoint notification), or stop with a savepoint and restore at another
 * parallelism, on either backend. A thread keeps a core busy in the same JVM all along. Every run's
 * committed output is compared with the engine alone on the same records, per key, line for line.
 *
 * <p>Runs: {@code -Dscanflow.campaign.runs=N} (default 12, the short form in {@code mvn verify});
 * first seed {@code -Dscanflow.campaign.seed=S}. {@code scripts/fault-campaign.sh} runs the long form.
 * The table goes to stdout and to {@code target/fault-campaign.md}.
 */
class FaultCampaignITCase {
    static final Duration PATIENCE = Duration.ofSeconds(90);
    static final int RUNS = Integer.getInteger("scanflow.campaign.runs", 12);
    static final long FIRST_SEED = Long.getLong("scanflow.campaign.seed", 1);

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    /** What the campaign counted. */
    static final class Tally {
        int runs;
        int failures;
        final Map<Faults.Site, Integer> bySite = new EnumMap<>(Faults.Site.class);
        int restores;
        int rescales;
        int backendSwitches;
        long lines;
        long lost;
        long duplicated;
        long mismatched;
        final List<String> bad = new ArrayList<>();
    }

    @Test
    void noRunLosesDuplicatesOrChangesAnything(@TempDir Path savepoints) throws Exception {
        Tally tally = new Tally();
        Thread contention = new Thread(FaultCampaignITCase::spin, "campaign-cpu-contention");
        contention.setDaemon(true);
        contention.start();
        long start = System.nanoTime();
        try {
            for (long seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) {
                runOne(seed, savepoints, tally);
            }
        } finally {
            contention.interrupt();
        }
        String table = table(tally, (System.nanoTime() - start) / 1e9);
        System.out.print(table);
        Path report = Path.of("target", "fault-campaign.md");
        Files.createDirectories(report.getParent());
        Files.writeString(report, table);
        assertEquals(List.of(), tally.bad, "runs with lost, duplicated or changed output");
    }

    private static void spin() {
        long x = 0;
        while (!Thread.currentThread().isInterrupted()) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        if (x == 42) {
            System.out.print("");
        }
    }

    private static void runOne(long seed, Path savepoints, Tally tally) throws Exception {
        Random random = new Random(seed);
        int records = 50 + random.nextInt(70);
        int keys = 3 + random.nextInt(6);
        int tokensPerRound = 1 + random.nextInt(3);
        TestJob.Run run = TestJob.Run.fresh("campaign-" + seed, records, keys,
                (random.nextBoolean() ? TestJob.PACED : TestJob.GENERATE).withTokensPerRound(tokensPerRound));
        boolean rocksdb = random.nextBoolean();
        int parallelism = 1 + random.nextInt(4);
        StringBuilder story = new StringBuilder("seed " + seed + ": " + records + " records, " + keys + " keys, "
                + tokensPerRound + " tokens per round, " + (rocksdb ? "rocksdb" : "hashmap") + " p" + parallelism);
        JobClient job = null;
        try {
            job = start(run, parallelism, rocksdb, null);
            int segments = 2 + random.nextInt(3);
            int at = 0;
            for (int s = 0; s < segments; s++) {
                int to = s == segments - 1 ? records : at + 1 + random.nextInt(Math.max(1, (records - at) / 2));
                int action = random.nextInt(10);
                if (action < 6) {
                    Faults.Site site = Faults.Site.values()[random.nextInt(Faults.Site.values().length)];
                    long events = 1 + random.nextInt(3);
                    run.faults().arm(site, events);
                    story.append(", at ").append(at).append(" arm ").append(site).append('#').append(events);
                } else if (action < 8 && s > 0) {
                    run.faults().disarm();
                    String savepoint = stopWithSavepoint(job, run, savepoints);
                    int next = 1 + random.nextInt(4);
                    boolean switchBackend = random.nextInt(3) == 0;
                    rocksdb ^= switchBackend;
                    tally.rescales += next != parallelism ? 1 : 0;
                    tally.backendSwitches += switchBackend ? 1 : 0;
                    story.append(", at ").append(at).append(" savepoint -> p").append(next)
                            .append(switchBackend ? (rocksdb ? " rocksdb" : " hashmap") : "");
                    parallelism = next;
                    job = start(run, parallelism, rocksdb, savepoint);
                }
                if (to == records) {
                    run.gate().openFully();
                } else {
                    run.gate().openTo(to);
                    CommittingCollectSink.awaitCount(run.id(), "classify", to, PATIENCE);
                }
                at = to;
            }
            job.getJobExecutionResult().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception | AssertionError e) {
            story.append(", ended with ").append(e);
            if (job != null) {
                // Leave no job behind to load the next runs.
                job.cancel().exceptionally(t -> null).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        }
        TestJob.Expected expected = run.expected();
        Faults faults = run.faults();
        tally.runs++;
        tally.failures += faults.injected();
        for (Faults.Site site : Faults.Site.values()) {
            tally.bySite.merge(site, faults.injected(site), Integer::sum);
        }
        tally.restores += faults.restores();
        long[] predictions = compare(expected.predictions(), run.predictions());
        long[] tokens = compare(expected.tokens(), run.tokens());
        tally.lines += expected.predictions().size() + expected.tokens().size();
        tally.lost += predictions[0] + tokens[0];
        tally.duplicated += predictions[1] + tokens[1];
        tally.mismatched += predictions[2] + tokens[2];
        story.append("; injected ").append(faults.injected());
        if (predictions[0] + predictions[1] + predictions[2] + tokens[0] + tokens[1] + tokens[2] > 0
                || story.indexOf("ended with") >= 0) {
            tally.bad.add(story + String.format("; predictions lost/duplicated/mismatched %d/%d/%d, tokens %d/%d/%d",
                    predictions[0], predictions[1], predictions[2], tokens[0], tokens[1], tokens[2]));
        }
        if (Boolean.getBoolean("scanflow.campaign.verbose")) {
            System.out.println(story);
        }
        run.forget();
    }

    /** Lines lost, duplicated and mismatched (wrong content, or a key's lines out of order), per key. */
    static long[] compare(List<String> expected, List<String> actual) {
        Map<String, List<String>> want = TestRecords.byKey(expected);
        Map<String, List<String>> got = TestRecords.byKey(actual);
        long lost = 0;
        long duplicated = 0;
        long mismatched = 0;
        java.util.Set<String> keys = new java.util.TreeSet<>(want.keySet());
        keys.addAll(got.keySet());
        for (String key : keys) {
            List<String> w = want.getOrDefault(key, List.of());
            List<String> g = got.getOrDefault(key, List.of());
            Map<String, Integer> counts = new HashMap<>();
            for (String line : w) {
                counts.merge(line, 1, Integer::sum);
            }
            int matched = 0;
            for (String line : g) {
                Integer left = counts.get(line);
                if (left != null && left > 0) {
                    counts.put(line, left - 1);
                    matched++;
                } else if (w.contains(line)) {
                    duplicated++;
                } else {
                    mismatched++;
                }
            }
            lost += w.size() - matched;
            if (matched == w.size() && g.size() == w.size() && !g.equals(w)) {
                mismatched++;
            }
        }
        return new long[] {lost, duplicated, mismatched};
    }

    /**
     * Stops the job with a savepoint once every task runs. No fault is armed any more, but one injected
     * earlier may still be restarting the job (a declined snapshot fails the job only when the coordinator
     * has processed the decline), and Flink refuses a savepoint while tasks are not running. So: wait for
     * a checkpoint completed since (every task ran then), and if the savepoint is still refused for tasks
     * not running, that restart was under way: wait for the next completed checkpoint. Each refusal needs
     * a restart, and with no fault armed none comes after the last one.
     */
    private static String stopWithSavepoint(JobClient job, TestJob.Run run, Path savepoints) throws Exception {
        for (int refused = 0; ; refused++) {
            long since = run.faults().lastCompletedCheckpoint();
            SourceGate.await("a checkpoint after checkpoint " + since, PATIENCE,
                    () -> run.faults().lastCompletedCheckpoint() > since);
            try {
                return job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                boolean restarting = String.valueOf(e.getCause()).contains("Not all required tasks are currently running");
                if (!restarting || refused >= run.faults().injected()) {
                    throw e;
                }
            }
        }
    }

    private static JobClient start(TestJob.Run run, int parallelism, boolean rocksdb, String savepoint) throws Exception {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, rocksdb ? "rocksdb" : "hashmap");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
        conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setMaxParallelism(128);
        env.enableCheckpointing(40);
        TestJob.build(env, run);
        StreamGraph graph = env.getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return env.executeAsync(graph);
    }

    static String table(Tally t, double seconds) {
        StringBuilder sites = new StringBuilder();
        t.bySite.forEach((site, n) -> sites.append(sites.length() == 0 ? "" : ", ").append(site).append(' ').append(n));
        return String.format("%n| runs | failures injected | subtasks restored | rescales | backend switches | output lines"
                        + " | lost | duplicated | mismatched | seconds |%n|---|---|---|---|---|---|---|---|---|---|%n"
                        + "| %d | %d | %d | %d | %d | %d | %d | %d | %d | %.0f |%n%nfailures by site: %s%n%s",
                t.runs, t.failures, t.restores, t.rescales, t.backendSwitches, t.lines, t.lost, t.duplicated,
                t.mismatched, seconds, sites, t.bad.isEmpty() ? "" : "bad runs:\n" + String.join("\n", t.bad) + "\n");
    }
}
