package io.scanflow.flink.operator;

import static io.scanflow.flink.TestRecords.byKey;
import static io.scanflow.flink.TestRecords.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.Generate;
import io.scanflow.flink.GeneratedChunk;
import io.scanflow.flink.GeneratedToken;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.Render;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import io.scanflow.flink.TestRecords;
import io.scanflow.model.testing.Fixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rounds of k tokens per session ({@link Generate#withTokensPerRound}) give exactly the outputs of
 * single-token rounds: the same tokens, indexes, positions, event times, timestamps and last flags,
 * with sessions ending inside a round, stop tokens, end records, restores and a real-time pace.
 *
 * <p>Runs on fixtures whose tokens vary under greedy and sampled decoding (the tied Mamba-1 fixture
 * of the other operator tests repeats its last token whatever the random state, so it could not tell
 * a lost random state from a kept one).
 */
@SuppressWarnings("try") // harnesses close with a broad throws clause
class GenerationRoundsTest {
    private static final ScanOptions BUNDLES =
            ScanOptions.defaults().withBundleSize(4).withBundleTimeout(Duration.ofHours(1));
    private static final Path MAMBA2 = fixture("mamba2-groups");
    private static final Path MAMBA1 = fixture("mamba1-untied-bias");
    /** Budgets below, between and above the round sizes; sessions start, so end, in different rounds. */
    private static final List<Generate> MODES = List.of(
            Generate.tokens(23),
            Generate.tokens(100).withSampling(0.9f, 20, 0.95f).withSeed(42),
            Generate.tokens(5).withSampling(1f, 0, 1f).withSeed(7));

    private static Path fixture(String name) {
        return Fixture.root().resolve("models").resolve(name);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ScanInput, GeneratedToken> create(Path model,
                                                                                                 Generate mode,
                                                                                                 ScanOptions options)
            throws Exception {
        ModelSpec spec = ModelSpec.of(model).withEngine(EngineChoice.CPU).withChunkLength(16);
        var h = Harnesses.<GeneratedToken>create(spec, mode, options, 1, 0);
        h.setProcessingTime(0);
        return h;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ScanInput, GeneratedToken> open(Path model,
                                                                                               Generate mode,
                                                                                               ScanOptions options)
            throws Exception {
        var h = create(model, mode, options);
        h.open();
        return h;
    }

    private static List<String> reference(Path model, List<ScanInput> records, Generate mode) {
        try (Reference ref = new Reference(model)) {
            return render(ref.generate(records, mode));
        }
    }

    /** {@link TestRecords} with tokens folded into the fixtures' vocabularies (37, 41). */
    private static List<ScanInput> records(int n, int keys) {
        List<ScanInput> out = new ArrayList<>();
        for (ScanInput r : TestRecords.first(n, keys)) {
            int[] tokens = r.tokens().clone();
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] %= 37;
            }
            out.add(new ScanInput(r.key(), tokens, null, r.endOfStream(), r.eventTime()));
        }
        return out;
    }

    static int runMails(KeyedOneInputStreamOperatorTestHarness<String, ScanInput, ?> h, int n)
            throws Exception {
        TaskMailbox mailbox = h.getTaskMailbox();
        int ran = 0;
        Optional<Mail> mail;
        while (ran < n && (mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
            ran++;
        }
        return ran;
    }

    /** Each output's canonical line with its record timestamp. */
    private static List<String> linesWithTimestamps(KeyedOneInputStreamOperatorTestHarness<String, ScanInput, ?> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add(Render.line(r.getValue()) + " @" + (r.hasTimestamp() ? r.getTimestamp() : "-"));
            }
        }
        return out;
    }

    private record Run(List<String> lines, long engineCalls) {}

    /** The records with rounds interleaved as in the mailbox loop, then every remaining round. */
    private static Run interleaved(Path model, Generate mode, List<ScanInput> records) throws Exception {
        try (var h = open(model, mode, BUNDLES)) {
            for (int i = 0; i < records.size(); i++) {
                h.processElement(records.get(i), 100 + i);
                if (i % 3 == 0) {
                    runMails(h, 2);
                }
            }
            Harnesses.drainMailbox(h);
            ModelOperator<?> op = (ModelOperator<?>) h.getOneInputOperator();
            assertEquals(0, op.activeSessions());
            return new Run(linesWithTimestamps(h), op.metrics.engineLatencyMicros.getCount());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64})
    void roundsOfKTokensEqualSingleTokenRounds(int k) throws Exception {
        List<ScanInput> records = records(40, 5); // every 11th record ends its key's stream
        for (Path model : List.of(MAMBA2, MAMBA1)) {
            for (Generate mode : MODES) {
                String what = model.getFileName() + ", k " + k + ", " + mode.maxNewTokens() + " tokens";
                Run single = interleaved(model, mode, records);
                Run rounds = interleaved(model, mode.withTokensPerRound(k), records);
                assertEquals(byKey(reference(model, records, mode)), byKey(strip(rounds.lines())), what);
                assertEquals(byKey(single.lines()), byKey(rounds.lines()), what + ", with timestamps");
                if (k > 1 && mode.maxNewTokens() > k) {
                    assertTrue(rounds.engineCalls() < single.engineCalls(), what + ": " + rounds.engineCalls()
                            + " engine calls, single-token rounds " + single.engineCalls());
                }
            }
        }
    }

    /** A chunk per session per round carries exactly the per-token records, timestamps included. */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64})
    void chunksCarryTheTokensOfPerTokenRecords(int k) throws Exception {
        List<ScanInput> records = records(40, 5);
        for (Generate mode : MODES) {
            Generate rounds = mode.withTokensPerRound(k);
            List<String> expanded = new ArrayList<>();
            long chunks = 0;
            ModelSpec spec = ModelSpec.of(MAMBA2).withEngine(EngineChoice.CPU).withChunkLength(16);
            try (var h = Harnesses.createChunks(spec, rounds, BUNDLES)) {
                h.setProcessingTime(0);
                h.open();
                for (int i = 0; i < records.size(); i++) {
                    h.processElement(records.get(i), 100 + i);
                    if (i % 3 == 0) {
                        runMails(h, 2);
                    }
                }
                Harnesses.drainMailbox(h);
                for (Object o : h.getOutput()) {
                    if (o instanceof StreamRecord<?> r && r.getValue() instanceof GeneratedChunk c) {
                        chunks++;
                        assertTrue(c.tokens().length <= Math.max(1, k), c.tokens().length + " tokens in a round of " + k);
                        for (int t = 0; t < c.tokens().length; t++) {
                            GeneratedToken g = new GeneratedToken(c.key(), c.session(), c.firstIndex() + t,
                                    c.firstPosition() + t, c.tokens()[t], c.eventTime(),
                                    c.last() && t == c.tokens().length - 1);
                            expanded.add(Render.line(g) + " @" + (r.hasTimestamp() ? r.getTimestamp() : "-"));
                        }
                    }
                }
            }
            Run tokens = interleaved(MAMBA2, rounds, records);
            assertEquals(byKey(tokens.lines()), byKey(expanded), mode.maxNewTokens() + " tokens, k " + k);
            if (k > 1) {
                assertTrue(chunks < tokens.lines().size(), chunks + " chunks for " + tokens.lines().size() + " tokens");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64})
    void aStopTokenEndsSessionsWhereSingleTokenRoundsEndThem(int k) throws Exception {
        List<ScanInput> records = records(40, 5);
        Generate sampled = Generate.tokens(40).withSampling(1f, 0, 1f).withSeed(3);
        int stop = frequentToken(reference(MAMBA2, records, sampled));
        Generate mode = sampled.withStopToken(stop);
        List<String> expected = reference(MAMBA2, records, mode);
        assertTrue(expected.stream().map(l -> l.split(" ")).anyMatch(f -> f[5].equals(String.valueOf(stop))
                && f[7].equals("true") && Integer.parseInt(f[3]) < 39), "some session stops at the stop token");
        Run single = interleaved(MAMBA2, mode, records);
        Run rounds = interleaved(MAMBA2, mode.withTokensPerRound(k), records);
        assertEquals(byKey(expected), byKey(strip(rounds.lines())));
        assertEquals(byKey(single.lines()), byKey(rounds.lines()));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64})
    void anEndRecordStopsAnUnboundedSessionAtTheSameToken(int k) throws Exception {
        Generate unbounded = Generate.untilStopToken(TestRecords.VOCAB + 1).withSampling(0.9f, 20, 0.95f).withSeed(5);
        List<List<String>> runs = new ArrayList<>();
        for (Generate mode : List.of(unbounded, unbounded.withTokensPerRound(k))) {
            try (var h = open(MAMBA2, mode, ScanOptions.defaults().withBundleSize(1))) {
                h.processElement(ScanInput.tokens("a", 1, 1, 2, 3), 1);
                h.processElement(ScanInput.tokens("b", 1, 4), 2);
                runMails(h, 5);
                h.processElement(ScanInput.end("a", 2), 3);
                runMails(h, 3);
                h.processElement(ScanInput.end("b", 2), 4);
                Harnesses.drainMailbox(h);
                runs.add(linesWithTimestamps(h));
            }
        }
        assertEquals(runs.get(0), runs.get(1));
        List<String> a = runs.get(1).stream().filter(l -> l.startsWith("G a ")).toList();
        assertEquals(7, a.size(), "token 0, five rounds, then one token marked last");
        assertTrue(a.get(6).endsWith(" true @1"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64})
    void aSnapshotBetweenRoundsResumesWithTheSameTokens(int k) throws Exception {
        List<ScanInput> records = records(30, 4);
        Generate mode = Generate.tokens(50).withSampling(0.9f, 20, 0.95f).withSeed(42);
        List<String> expected = reference(MAMBA2, records, mode);
        List<String> before = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = open(MAMBA2, mode.withTokensPerRound(k), BUNDLES)) {
            for (int i = 0; i < 17; i++) {
                h.processElement(records.get(i), i);
            }
            runMails(h, 3);
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            ModelOperator<?> op = (ModelOperator<?>) h.getOneInputOperator();
            assertTrue(op.activeSessions() > 0, "sessions are running at the snapshot");
            before.addAll(render(Harnesses.values(h)));
        }
        // The restored job may run another round size: rounds leave no trace in the state.
        for (int restoredK : new int[] {k, 1, 64}) {
            List<String> actual = new ArrayList<>(before);
            try (var h = create(MAMBA2, mode.withTokensPerRound(restoredK), BUNDLES)) {
                h.initializeState(snapshot);
                h.open();
                Harnesses.drainMailbox(h);
                for (int i = 17; i < records.size(); i++) {
                    h.processElement(records.get(i), i);
                }
                h.prepareSnapshotPreBarrier(2);
                Harnesses.drainMailbox(h);
                actual.addAll(render(Harnesses.values(h)));
            }
            assertEquals(byKey(expected), byKey(actual), "rounds of " + k + ", restored with rounds of " + restoredK);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64})
    void endOfInputFinishesSessionsInRounds(int k) throws Exception {
        List<ScanInput> records = records(12, 3);
        Generate mode = Generate.tokens(30).withSampling(0.9f, 20, 0.95f).withSeed(42);
        try (var h = open(MAMBA2, mode.withTokensPerRound(k), BUNDLES)) {
            for (int i = 0; i < records.size(); i++) {
                h.processElement(records.get(i), i);
            }
            h.endInput();
            h.getOneInputOperator().finish();
            assertEquals(byKey(reference(MAMBA2, records, mode)), byKey(render(Harnesses.values(h))));
        }
    }

    @Test
    void aPacedRoundIsDueWithItsFirstToken() throws Exception {
        Generate paced = Generate.tokens(10).withSampling(0.9f, 20, 0.95f).withSeed(9).atTokensPerSecond(100)
                .withTokensPerRound(4); // one token per 10 ms, four per round
        ScanInput prompt = ScanInput.tokens("a", 1, 1, 2, 3);
        try (var h = open(MAMBA2, paced, ScanOptions.defaults().withBundleSize(1))) {
            h.processElement(prompt, 1);
            assertEquals(1, h.getOutput().size(), "token 0 comes with the prompt");
            assertEquals(0, runMails(h, 10), "a paced session needs no mails");
            h.setProcessingTime(9);
            assertEquals(1, h.getOutput().size());
            h.setProcessingTime(10);
            assertEquals(5, h.getOutput().size(), "tokens 1-4 when token 1 is due");
            h.setProcessingTime(49);
            assertEquals(5, h.getOutput().size());
            h.setProcessingTime(50);
            assertEquals(9, h.getOutput().size());
            h.setProcessingTime(90);
            List<GeneratedToken> out = Harnesses.values(h);
            assertEquals(10, out.size(), "the last round has the one token left");
            for (int i = 0; i < out.size(); i++) {
                assertEquals(i == 9, out.get(i).last());
            }
            assertEquals(reference(MAMBA2, List.of(prompt), paced), render(out));
        }
    }

    private static List<String> strip(List<String> linesWithTimestamps) {
        return linesWithTimestamps.stream().map(l -> l.substring(0, l.lastIndexOf(" @"))).toList();
    }

    /** The token sampled most often after token 0. */
    private static int frequentToken(List<String> lines) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (String l : lines) {
            String[] f = l.split(" ");
            if (!f[3].equals("0")) {
                counts.merge(Integer.parseInt(f[5]), 1, Integer::sum);
            }
        }
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    @Test
    void roundsOfOneTokenAreTheDefault() {
        assertEquals(1, Generate.tokens(3).tokensPerRound());
        assertEquals(5, Generate.tokens(3).withTokensPerRound(5).withSeed(1).tokensPerRound());
        assertThrows(IllegalArgumentException.class, () -> Generate.tokens(3).withTokensPerRound(0));
    }
}
