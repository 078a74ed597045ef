package io.scanflow.flink.operator;

import static io.scanflow.flink.TestRecords.byKey;
import static io.scanflow.flink.TestRecords.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.Classify;
import io.scanflow.flink.Prediction;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import io.scanflow.flink.TestRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The classify operator in a test harness: bundling, order, barriers, restore, rescale. */
@SuppressWarnings("try") // harnesses close with a broad throws clause
class ClassifyOperatorTest {
    private static final Duration NEVER = Duration.ofHours(1);

    private static KeyedOneInputStreamOperatorTestHarness<String, ScanInput, Prediction> open(ScanOptions options)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, ScanInput, Prediction> h =
                Harnesses.create(Classify.perChunk(), options);
        h.setProcessingTime(0);
        h.open();
        return h;
    }

    private static List<Prediction> reference(List<ScanInput> records) {
        try (Reference ref = new Reference()) {
            return ref.classifyPerChunk(records);
        }
    }

    @Test
    void aBundleRunsWhenItHoldsBundleSizeRecords() throws Exception {
        try (var h = open(ScanOptions.defaults().withBundleSize(3).withBundleTimeout(NEVER))) {
            h.processElement(ScanInput.tokens("a", 1, 1, 2), 1);
            h.processElement(ScanInput.tokens("b", 2, 3), 2);
            assertEquals(0, h.getOutput().size(), "two records wait for the third");
            h.processElement(ScanInput.tokens("a", 3, 4, 5, 6), 3);
            assertEquals(3, h.getOutput().size());
            ModelOperator<?> op = (ModelOperator<?>) h.getOneInputOperator();
            assertEquals(1, op.metrics.bundleSize.getCount());
            assertEquals(3, op.metrics.recordsIn.getCount());
            assertEquals(3, op.metrics.recordsOut.getCount());
            assertEquals(6, op.metrics.tokens.getCount());
            assertEquals(2, op.slots.size());
        }
    }

    @Test
    void aBundleRunsWhenItsTimeoutPasses() throws Exception {
        try (var h = open(ScanOptions.defaults().withBundleSize(100).withBundleTimeout(Duration.ofMillis(5)))) {
            h.processElement(ScanInput.tokens("a", 1, 1, 2), 1);
            h.setProcessingTime(3);
            h.processElement(ScanInput.tokens("b", 2, 3), 2);
            h.setProcessingTime(4);
            assertEquals(0, h.getOutput().size());
            h.setProcessingTime(5);
            assertEquals(2, h.getOutput().size(), "the timeout counts from the bundle's first record");
            h.processElement(ScanInput.tokens("c", 3, 4), 3);
            h.setProcessingTime(9);
            assertEquals(2, h.getOutput().size());
            h.setProcessingTime(10);
            assertEquals(3, h.getOutput().size());
        }
    }

    @Test
    void aWatermarkFlushesTheBundleBeforeItPasses() throws Exception {
        try (var h = open(ScanOptions.defaults().withBundleSize(100).withBundleTimeout(NEVER))) {
            h.processElement(ScanInput.tokens("a", 1, 1, 2), 5);
            h.processElement(ScanInput.tokens("b", 2, 3), 6);
            h.processWatermark(10);
            List<Object> out = new ArrayList<>(h.getOutput());
            assertEquals(3, out.size());
            assertTrue(out.get(2) instanceof org.apache.flink.streaming.api.watermark.Watermark,
                    "the predictions come before the watermark, not after it");
        }
    }

    @Test
    void outputsKeepEachKeysOrderAndEqualTheEngineAloneForAnyBundleSize() throws Exception {
        List<ScanInput> records = TestRecords.first(120, 5);
        List<String> expected = render(reference(records));
        for (int bundle : new int[] {1, 7, 64}) {
            try (var h = open(ScanOptions.defaults().withBundleSize(bundle).withBundleTimeout(NEVER))) {
                long ts = 0;
                for (ScanInput r : records) {
                    h.processElement(r, ts++);
                }
                h.prepareSnapshotPreBarrier(1);
                List<String> actual = render(Harnesses.values(h));
                assertEquals(byKey(expected), byKey(actual), "bundle size " + bundle);
            }
        }
    }

    @Test
    void theBundleIsFlushedAndStateWrittenBeforeTheBarrier() throws Exception {
        try (var h = open(ScanOptions.defaults().withBundleSize(100).withBundleTimeout(NEVER))) {
            for (int i = 0; i < 5; i++) {
                h.processElement(ScanInput.tokens("k" + (i % 3), i, i + 1, i + 2), i);
            }
            assertEquals(0, h.getOutput().size());
            assertEquals(0, h.numKeyedStateEntries());
            h.prepareSnapshotPreBarrier(7);
            assertEquals(5, h.getOutput().size(), "every buffered record is out before the barrier");
            assertEquals(3, h.numKeyedStateEntries(), "every touched key's state is in keyed state");
            OperatorSubtaskState snapshot = h.snapshot(7, 7);
            assertNotNull(snapshot);
        }
    }

    @Test
    void restoringASnapshotMidSequenceGivesTheSameOutputs() throws Exception {
        List<ScanInput> records = TestRecords.first(90, 4);
        List<String> expected = render(reference(records));
        ScanOptions options = ScanOptions.defaults().withBundleSize(5).withBundleTimeout(NEVER);
        List<String> actual = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = open(options)) {
            for (int i = 0; i < 47; i++) {
                h.processElement(records.get(i), i);
            }
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            actual.addAll(render(Harnesses.values(h)));
        }
        try (var h = Harnesses.<Prediction>create(Classify.perChunk(), options)) {
            h.setProcessingTime(0);
            h.initializeState(snapshot);
            h.open();
            for (int i = 47; i < records.size(); i++) {
                h.processElement(records.get(i), i);
            }
            h.prepareSnapshotPreBarrier(2);
            actual.addAll(render(Harnesses.values(h)));
        }
        assertEquals(byKey(expected), byKey(actual));
    }

    @Test
    void restoringIntoMoreSubtasksMovesEachKeysStateWithItsKeyGroup() throws Exception {
        List<ScanInput> records = TestRecords.first(80, 6);
        List<String> expected = render(reference(records));
        ScanOptions options = ScanOptions.defaults().withBundleSize(4).withBundleTimeout(NEVER);
        List<String> actual = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = open(options)) {
            for (int i = 0; i < 40; i++) {
                h.processElement(records.get(i), i);
            }
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            actual.addAll(render(Harnesses.values(h)));
        }
        List<KeyedOneInputStreamOperatorTestHarness<String, ScanInput, Prediction>> subtasks = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            OperatorSubtaskState part = AbstractStreamOperatorTestHarness.repartitionOperatorState(
                    snapshot, Harnesses.MAX_PARALLELISM, 1, 3, s);
            var h = Harnesses.<Prediction>create(Classify.perChunk(), options, 3, s);
            h.setProcessingTime(0);
            h.initializeState(part);
            h.open();
            subtasks.add(h);
        }
        for (int i = 40; i < records.size(); i++) {
            ScanInput r = records.get(i);
            int group = org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignKeyToParallelOperator(
                    r.key(), Harnesses.MAX_PARALLELISM, 3);
            subtasks.get(group).processElement(r, i);
        }
        for (var h : subtasks) {
            h.prepareSnapshotPreBarrier(2);
            actual.addAll(render(Harnesses.values(h)));
            h.close();
        }
        assertEquals(byKey(expected), byKey(actual));
    }

    @Test
    void aKeyIdleLongerThanTheTtlStartsAFreshStream() throws Exception {
        ScanOptions options = ScanOptions.defaults().withBundleSize(1).withStateTtl(Duration.ofMillis(100));
        List<ScanInput> fresh = List.of(ScanInput.tokens("a", 9, 7, 8, 9));
        String freshLine = render(reference(fresh)).get(0);
        try (var h = open(options)) {
            h.processElement(ScanInput.tokens("a", 1, 1, 2, 3), 1);
            h.prepareSnapshotPreBarrier(1);
            assertEquals(1, h.numKeyedStateEntries());
            h.setProcessingTime(150);
            h.setStateTtlProcessingTime(150);
            h.processElement(ScanInput.tokens("b", 2, 4), 2);
            ModelOperator<?> op = (ModelOperator<?>) h.getOneInputOperator();
            assertEquals(1, op.slots.size(), "the idle key lost its slot");
            h.processElement(ScanInput.tokens("a", 9, 7, 8, 9), 3);
            List<String> lines = render(Harnesses.values(h));
            assertEquals(freshLine, lines.get(2), "the expired key starts again at position 0");
        }
    }

    @Test
    void aKeyWrittenBackForCapacityExpiresByStateTtl() throws Exception {
        ScanOptions options = ScanOptions.defaults().withBundleSize(1).withMaxCachedKeys(1)
                .withStateTtl(Duration.ofMillis(1000));
        String freshLine = render(reference(List.of(ScanInput.tokens("a", 9, 7, 8, 9)))).get(0);
        try (var h = open(options)) {
            h.processElement(ScanInput.tokens("a", 1, 1, 2, 3), 1);
            h.processElement(ScanInput.tokens("b", 2, 4), 2);
            assertEquals(1, h.numKeyedStateEntries(), "key a went to keyed state to free its slot");
            h.setStateTtlProcessingTime(2000);
            h.processElement(ScanInput.tokens("a", 9, 7, 8, 9), 3);
            assertEquals(freshLine, render(Harnesses.values(h)).get(2));
        }
    }

    @Test
    void windowPredictionsFallOnExactWindowEnds() throws Exception {
        List<ScanInput> records = TestRecords.first(60, 3);
        List<String> expected;
        try (Reference ref = new Reference()) {
            expected = render(ref.classifyPerWindow(records, 4));
        }
        try (var h = Harnesses.<Prediction>create(Classify.perWindow(4),
                ScanOptions.defaults().withBundleSize(6).withBundleTimeout(NEVER))) {
            h.open();
            for (int i = 0; i < records.size(); i++) {
                h.processElement(records.get(i), i);
            }
            h.prepareSnapshotPreBarrier(1);
            List<String> actual = render(Harnesses.values(h));
            assertEquals(byKey(expected), byKey(actual));
            for (Prediction p : Harnesses.values(h)) {
                assertEquals(0, p.position() % 4);
            }
        }
    }

    @Test
    void endOfStreamEmitsTheLastPredictionAndForgetsTheKey() throws Exception {
        try (var h = Harnesses.<Prediction>create(Classify.atEndOfStream().withLogits(),
                ScanOptions.defaults().withBundleSize(2))) {
            h.open();
            h.processElement(ScanInput.tokens("a", 1, 1, 2), 1);
            h.processElement(ScanInput.tokens("a", 2, 3, 4, 5), 2);
            h.processElement(ScanInput.end("a", 3), 3);
            h.processElement(ScanInput.tokens("b", 4, 6), 4);
            h.prepareSnapshotPreBarrier(1);
            List<Prediction> out = Harnesses.values(h);
            assertEquals(1, out.size());
            Prediction p = out.get(0);
            assertEquals(Prediction.Trigger.END_OF_STREAM, p.trigger());
            assertEquals(5, p.position());
            assertEquals(3, p.eventTime());
            assertEquals(TestRecords.VOCAB, p.logits().length);
            try (Reference ref = new Reference()) {
                Prediction last = ref.classifyPerChunk(List.of(ScanInput.tokens("a", 1, 1, 2),
                        ScanInput.tokens("a", 2, 3, 4, 5))).get(1);
                assertEquals(last.label(), p.label());
                assertEquals(last.probability(), p.probability());
            }
            assertEquals(1, h.numKeyedStateEntries(), "the ended key's state is gone, b's remains");
            assertTrue(p.probability() > 0 && p.probability() <= 1);
        }
    }
}
