package io.scanflow.flink.operator;

import static io.scanflow.flink.TestRecords.byKey;
import static io.scanflow.flink.TestRecords.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.Generate;
import io.scanflow.flink.GeneratedToken;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import io.scanflow.flink.TestRecords;
import io.scanflow.model.testing.Fixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Generation sessions in a test harness: batched rounds, queued prompts, restore mid-session, pace. On a
 * fixture whose sampled tokens depend on the random state (the tied fixture repeats its last token
 * whatever it draws), so a lost or replayed sampler state shows.
 */
@SuppressWarnings("try") // harnesses close with a broad throws clause
class GenerateOperatorTest {
    private static final Path MODEL = Fixture.root().resolve("models").resolve("mamba1-untied-bias");
    private static final int VOCAB = 37;
    private static final ModelSpec SPEC = ModelSpec.of(MODEL).withEngine(EngineChoice.CPU).withChunkLength(16);
    private static final Generate SAMPLED = Generate.tokens(7).withSampling(0.9f, 20, 0.95f).withSeed(42);
    private static final ScanOptions BUNDLES = ScanOptions.defaults().withBundleSize(4).withBundleTimeout(Duration.ofHours(1));

    private static KeyedOneInputStreamOperatorTestHarness<String, ScanInput, GeneratedToken> open(Generate mode,
                                                                                               ScanOptions options)
            throws Exception {
        var h = Harnesses.<GeneratedToken>create(SPEC, mode, options, 1, 0);
        h.setProcessingTime(0);
        h.open();
        return h;
    }

    private static List<String> reference(List<ScanInput> records, Generate mode) {
        try (Reference ref = new Reference(MODEL)) {
            return render(ref.generate(records, mode));
        }
    }

    /** Runs at most {@code n} queued mails; returns how many ran. */
    private static int runMails(KeyedOneInputStreamOperatorTestHarness<String, ScanInput, ?> h, int n) throws Exception {
        TaskMailbox mailbox = h.getTaskMailbox();
        int ran = 0;
        Optional<Mail> mail;
        while (ran < n && (mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
            ran++;
        }
        return ran;
    }

    @Test
    void theFixturesSampledTokensDependOnTheRandomState() {
        List<ScanInput> records = TestRecords.first(12, 3, VOCAB);
        assertNotEquals(reference(records, SAMPLED), reference(records, SAMPLED.withSeed(43)));
    }

    @Test
    void sessionsOfManyKeysEqualSequentialGenerationPerKey() throws Exception {
        List<ScanInput> records = TestRecords.first(40, 5, VOCAB);
        List<String> expected = reference(records, SAMPLED);
        try (var h = open(SAMPLED, BUNDLES)) {
            for (int i = 0; i < records.size(); i++) {
                h.processElement(records.get(i), i);
                if (i % 3 == 0) {
                    runMails(h, 2); // rounds interleave with input as in the mailbox loop
                }
            }
            ModelOperator<?> op = (ModelOperator<?>) h.getOneInputOperator();
            assertTrue(op.activeSessions() > 0);
            h.prepareSnapshotPreBarrier(1);
            assertTrue(op.slots.lastWriteBackBytes() > 0, "running streams wrote their model state");
            Harnesses.drainMailbox(h);
            assertEquals(byKey(expected), byKey(render(Harnesses.values(h))));
            assertEquals(0, op.activeSessions());
            assertEquals(expected.size(), op.metrics.recordsOut.getCount());
            assertTrue(op.metrics.engineLatencyMicros.getCount() > 0);
        }
    }

    @Test
    void aPromptArrivingDuringASessionWaitsForItsEnd() throws Exception {
        List<ScanInput> records = List.of(ScanInput.tokens("a", 1, 1, 2, 3), ScanInput.tokens("a", 2, 4, 5));
        List<String> expected = reference(records, SAMPLED);
        try (var h = open(SAMPLED, ScanOptions.defaults().withBundleSize(1))) {
            h.processElement(records.get(0), 1);
            runMails(h, 2);
            h.processElement(records.get(1), 2);
            ModelOperator<?> op = (ModelOperator<?>) h.getOneInputOperator();
            KeyEntry a = op.slots.entries().iterator().next();
            assertEquals(1, a.queue.size(), "the second prompt is held behind the running session");
            Harnesses.drainMailbox(h);
            List<String> actual = render(Harnesses.values(h));
            assertEquals(expected, actual);
            assertEquals(14, actual.size());
        }
    }

    @Test
    void aSnapshotMidSessionResumesWithTheSameTokens() throws Exception {
        List<ScanInput> records = TestRecords.first(30, 4, VOCAB);
        List<String> expected = reference(records, SAMPLED);
        List<String> actual = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = open(SAMPLED, BUNDLES)) {
            for (int i = 0; i < 17; i++) {
                h.processElement(records.get(i), i);
            }
            runMails(h, 3);
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            ModelOperator<?> op = (ModelOperator<?>) h.getOneInputOperator();
            assertTrue(op.activeSessions() > 0, "sessions are running at the snapshot");
            actual.addAll(render(Harnesses.values(h)));
        }
        try (var h = Harnesses.<GeneratedToken>create(SPEC, SAMPLED, BUNDLES, 1, 0)) {
            h.setProcessingTime(0);
            h.initializeState(snapshot);
            h.open();
            Harnesses.drainMailbox(h); // restored sessions resume without any new record
            for (int i = 17; i < records.size(); i++) {
                h.processElement(records.get(i), i);
            }
            h.prepareSnapshotPreBarrier(2);
            Harnesses.drainMailbox(h);
            actual.addAll(render(Harnesses.values(h)));
        }
        assertEquals(byKey(expected), byKey(actual));
    }

    @Test
    void realTimePaceEmitsOnProcessingTimeTimers() throws Exception {
        Generate paced = Generate.tokens(10).atTokensPerSecond(100); // one token per 10 ms
        try (var h = open(paced, ScanOptions.defaults().withBundleSize(1))) {
            h.processElement(ScanInput.tokens("a", 1, 1, 2, 3), 1);
            assertEquals(1, h.getOutput().size(), "token 0 comes with the prompt");
            assertEquals(0, runMails(h, 10), "a paced session needs no mails");
            h.setProcessingTime(9);
            assertEquals(1, h.getOutput().size());
            h.setProcessingTime(10);
            assertEquals(2, h.getOutput().size());
            h.setProcessingTime(35);
            assertEquals(4, h.getOutput().size());
            h.processElement(ScanInput.tokens("b", 2, 4), 2); // another key keeps flowing meanwhile
            assertEquals(5, h.getOutput().size());
            h.setProcessingTime(1_000);
            List<GeneratedToken> out = Harnesses.values(h);
            assertEquals(20, out.size());
            assertTrue(out.get(out.size() - 1).last());
        }
    }

    @Test
    void anEndRecordStopsAnUnboundedSessionAndEndsTheStream() throws Exception {
        Generate unbounded = Generate.untilStopToken(VOCAB + 1); // a stop token never sampled
        try (var h = open(unbounded, ScanOptions.defaults().withBundleSize(1))) {
            h.processElement(ScanInput.tokens("a", 1, 1, 2, 3), 1);
            runMails(h, 4);
            int before = h.getOutput().size();
            h.processElement(ScanInput.end("a", 2), 2);
            Harnesses.drainMailbox(h);
            List<GeneratedToken> out = Harnesses.values(h);
            assertEquals(before + 1, out.size(), "one more token, marked last");
            assertTrue(out.get(out.size() - 1).last());
            for (int i = 0; i < out.size() - 1; i++) {
                assertFalse(out.get(i).last());
            }
            h.prepareSnapshotPreBarrier(1);
            assertEquals(0, h.numKeyedStateEntries(), "the ended stream left no state");
        }
    }

    @Test
    void endOfInputFinishesRunningSessions() throws Exception {
        List<ScanInput> records = TestRecords.first(12, 3, VOCAB);
        List<String> expected = reference(records, SAMPLED);
        try (var h = open(SAMPLED, BUNDLES)) {
            for (int i = 0; i < records.size(); i++) {
                h.processElement(records.get(i), i);
            }
            h.endInput();
            h.getOneInputOperator().finish();
            assertEquals(byKey(expected), byKey(render(Harnesses.values(h))));
        }
    }
}
