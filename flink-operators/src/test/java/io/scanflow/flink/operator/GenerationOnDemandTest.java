package io.scanflow.flink.operator;

import static io.scanflow.flink.TestRecords.byKey;
import static io.scanflow.flink.TestRecords.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.BadRecord;
import io.scanflow.flink.Classify;
import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.Generate;
import io.scanflow.flink.GeneratedToken;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.Prediction;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.ScanOptions;
import io.scanflow.model.testing.Fixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Generation on demand ({@link Generate#onDemand()}): a session advances one round per demand record and
 * not otherwise, the tokens are those of free-running sessions, and queued demand survives a snapshot.
 */
@SuppressWarnings("try") // harnesses close with a broad throws clause
class GenerationOnDemandTest {
    private static final Path MAMBA2 = Fixture.root().resolve("models").resolve("mamba2-groups");
    private static final Generate SAMPLED = Generate.tokens(30).withSampling(0.9f, 20, 0.95f).withSeed(42);
    private static final ScanOptions ONE_BY_ONE = ScanOptions.defaults().withBundleSize(1);

    private static KeyedOneInputStreamOperatorTestHarness<String, ScanInput, GeneratedToken> create(Generate mode,
                                                                                                 ScanOptions options)
            throws Exception {
        ModelSpec spec = ModelSpec.of(MAMBA2).withEngine(EngineChoice.CPU).withChunkLength(16);
        var h = Harnesses.<GeneratedToken>create(spec, mode, options, 1, 0);
        h.setProcessingTime(0);
        return h;
    }

    private static List<String> reference(List<ScanInput> prompts, Generate mode) {
        try (Reference ref = new Reference(MAMBA2)) {
            return render(ref.generate(prompts, mode));
        }
    }

    private static final List<ScanInput> PROMPTS = List.of(ScanInput.tokens("a", 1, 1, 2, 3),
            ScanInput.tokens("b", 2, 4, 5), ScanInput.tokens("c", 3, 6));

    @ParameterizedTest
    @ValueSource(ints = {1, 7})
    void eachDemandRecordReleasesOneRound(int k) throws Exception {
        Generate mode = SAMPLED.withTokensPerRound(k).onDemand();
        int rounds = mode.roundsPerSession();
        assertEquals((29 + k - 1) / k, rounds);
        try (var h = create(mode, ONE_BY_ONE)) {
            h.open();
            for (ScanInput p : PROMPTS) {
                h.processElement(p, p.eventTime());
            }
            Harnesses.drainMailbox(h);
            assertEquals(3, h.getOutput().size(), "token 0 of each session comes with its prompt, then nothing");
            int expected = 3;
            for (int r = 0; r < rounds; r++) {
                h.processElement(ScanInput.demand("b", 0), 10);
                Harnesses.drainMailbox(h);
                expected += Math.min(k, 29 - r * k);
                assertEquals(expected, h.getOutput().size(), "round " + r + " of b");
            }
            for (String key : List.of("a", "c")) {
                for (int r = 0; r < rounds; r++) {
                    h.processElement(ScanInput.demand(key, 0), 11);
                }
            }
            Harnesses.drainMailbox(h);
            assertEquals(90, h.getOutput().size());
            assertEquals(0, ((ModelOperator<?>) h.getOneInputOperator()).activeSessions());
            h.processElement(ScanInput.demand("a", 0), 12); // left over: dropped, not a bad record
            Harnesses.drainMailbox(h);
            assertEquals(90, h.getOutput().size());
            assertNull(h.getSideOutput(ScanOperators.BAD_RECORDS));
            assertEquals(byKey(reference(PROMPTS, SAMPLED)), byKey(render(Harnesses.values(h))));
        }
    }

    @Test
    void queuedDemandSurvivesASnapshotMidSession() throws Exception {
        Generate mode = SAMPLED.withTokensPerRound(4).onDemand();
        List<String> before;
        OperatorSubtaskState snapshot;
        ScanOptions bundles = ScanOptions.defaults().withBundleSize(5).withBundleTimeout(Duration.ofHours(1));
        try (var h = create(mode, bundles)) {
            h.open();
            for (ScanInput p : PROMPTS) {
                h.processElement(p, p.eventTime());
            }
            for (int i = 0; i < 5; i++) {
                for (ScanInput p : PROMPTS) {
                    h.processElement(ScanInput.demand(p.key(), 0), 20);
                }
            }
            // Two rounds run; the rest of the demand waits in the keys' queues at the snapshot.
            GenerationRoundsTest.runMails(h, 2);
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            assertTrue(((ModelOperator<?>) h.getOneInputOperator()).activeSessions() > 0);
            before = render(Harnesses.values(h));
        }
        List<String> actual = new ArrayList<>(before);
        try (var h = create(mode, bundles)) {
            h.initializeState(snapshot);
            h.open();
            Harnesses.drainMailbox(h);
            assertEquals(3 * (1 + 5 * 4), before.size() + Harnesses.values(h).size(),
                    "the queued demand, and only it, ran after the restore");
            for (int i = 0; i < mode.roundsPerSession() - 5; i++) {
                for (ScanInput p : PROMPTS) {
                    h.processElement(ScanInput.demand(p.key(), 0), 30);
                }
            }
            h.prepareSnapshotPreBarrier(2);
            Harnesses.drainMailbox(h);
            actual.addAll(render(Harnesses.values(h)));
        }
        assertEquals(byKey(reference(PROMPTS, SAMPLED)), byKey(actual));
    }

    @Test
    void aLaterRecordOrTheEndOfInputLetsASessionRunToItsEnd() throws Exception {
        Generate mode = SAMPLED.withTokensPerRound(3).onDemand();
        List<ScanInput> prompts = List.of(ScanInput.tokens("a", 1, 1, 2, 3), ScanInput.tokens("a", 2, 7, 8));
        try (var h = create(mode, ONE_BY_ONE)) {
            h.open();
            h.processElement(prompts.get(0), 1);
            h.processElement(ScanInput.demand("a", 0), 2);
            Harnesses.drainMailbox(h);
            assertEquals(1 + 3, h.getOutput().size());
            // Nothing can ask for the first session after the key's next prompt: it runs to its end, then the
            // second session starts and waits for its demand.
            h.processElement(prompts.get(1), 3);
            Harnesses.drainMailbox(h);
            assertEquals(30 + 1, h.getOutput().size());
            h.endInput();
            h.getOneInputOperator().finish();
            assertEquals(byKey(reference(prompts, SAMPLED)), byKey(render(Harnesses.values(h))));
        }
    }

    /** A stream's last prompt queues an end marker behind its session: demand behind that end still counts. */
    @Test
    void aSessionOpenedByItsStreamsLastPromptStillWaitsForDemand() throws Exception {
        Generate mode = SAMPLED.withTokensPerRound(5).onDemand();
        ScanInput last = ScanInput.lastTokens("a", 1, 1, 2, 3);
        try (var h = create(mode, ONE_BY_ONE)) {
            h.open();
            h.processElement(last, 1);
            Harnesses.drainMailbox(h);
            assertEquals(1, h.getOutput().size(), "token 0, then it waits, end marker or not");
            for (int r = 1; r <= mode.roundsPerSession(); r++) {
                h.processElement(ScanInput.demand("a", 0), 2);
                Harnesses.drainMailbox(h);
                assertEquals(Math.min(30, 1 + 5 * r), h.getOutput().size(), "round " + r);
            }
            // The end ran after the session: the key's next prompt opens a fresh stream.
            h.processElement(ScanInput.lastTokens("a", 3, 1, 2, 3), 3);
            Harnesses.drainMailbox(h);
            assertEquals(31, h.getOutput().size());
            h.endInput();
            h.getOneInputOperator().finish();
            List<ScanInput> prompts = List.of(last, ScanInput.lastTokens("a", 3, 1, 2, 3));
            assertEquals(byKey(reference(prompts, SAMPLED)), byKey(render(Harnesses.values(h))));
        }
    }

    @Test
    void aPacedSessionOnDemandWaitsForBoth() throws Exception {
        Generate mode = SAMPLED.withTokensPerRound(4).atTokensPerSecond(100).onDemand(); // a token per 10 ms
        try (var h = create(mode, ONE_BY_ONE)) {
            h.open();
            h.processElement(PROMPTS.get(0), 1);
            h.processElement(ScanInput.demand("a", 0), 2);
            h.processElement(ScanInput.demand("a", 0), 3);
            h.setProcessingTime(9);
            assertEquals(1, h.getOutput().size(), "asked for, but not due");
            h.setProcessingTime(10);
            assertEquals(1 + 4, h.getOutput().size(), "tokens 1-4 when token 1 is due");
            h.setProcessingTime(49);
            assertEquals(1 + 4, h.getOutput().size());
            h.setProcessingTime(50);
            assertEquals(1 + 8, h.getOutput().size(), "tokens 5-8 when token 5 is due");
            h.setProcessingTime(200);
            assertEquals(1 + 8, h.getOutput().size(), "due, but not asked for");
            h.processElement(ScanInput.demand("a", 0), 4);
            h.setProcessingTime(201);
            assertEquals(1 + 12, h.getOutput().size(), "a late demand runs its round at once");
        }
    }

    @Test
    void otherOperatorsRejectDemandAsAnEmptyChunk() throws Exception {
        try (var h = Harnesses.<Prediction>create(Classify.perChunk(), ONE_BY_ONE)) {
            h.open();
            h.processElement(ScanInput.demand("a", 0), 1);
            List<BadRecord> bad = new ArrayList<>();
            for (StreamRecord<BadRecord> r : h.getSideOutput(ScanOperators.BAD_RECORDS)) {
                bad.add(r.getValue());
            }
            assertEquals(1, bad.size());
            assertTrue(bad.get(0).toString().contains("empty chunk"), bad.get(0).toString());
        }
    }
}
