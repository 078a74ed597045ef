package io.scanflow.flink.operator;

import static io.scanflow.flink.TestRecords.byKey;
import static io.scanflow.flink.TestRecords.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.Classify;
import io.scanflow.flink.Prediction;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import io.scanflow.flink.TestRecords;
import io.scanflow.flink.faults.Faults;
import io.scanflow.flink.faults.FaultyEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An engine that fails midway through a bundle (half of its slots advanced), or cannot allocate a
 * slot as a GPU out of device memory cannot: the operator fails with one message naming the
 * operator, the engine call and the keys, and an operator restored from the last snapshot, fed the
 * records after it again (as Flink replays them), gives exactly the engine-alone output.
 */
class EngineFailureTest {
    static final Duration NEVER = Duration.ofDays(1);
    /** Two cached keys of nine: slots are freed and opened again all the time. */
    static final ScanOptions OPTIONS = ScanOptions.defaults().withBundleSize(6).withBundleTimeout(NEVER)
            .withMaxCachedKeys(2);

    private final String run = "engine-failure-" + UUID.randomUUID();

    @AfterEach
    void forget() {
        Faults.forget(run);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, ScanInput, Prediction> open(OperatorSubtaskState state)
            throws Exception {
        var h = Harnesses.<Prediction>create(Harnesses.spec().withEngineWrapper(FaultyEngine.wrapper(run)),
                Classify.perChunk(), OPTIONS, 1, 0);
        h.setProcessingTime(0);
        if (state != null) {
            h.initializeState(state);
        }
        h.open();
        return h;
    }

    @Test
    void aBundleFailingMidwayFailsWithItsKeysAndTheRestoredOperatorLosesNothing() throws Exception {
        assertRecoversFrom(Faults.Site.ENGINE, "engine failed in prefill for keys", "injected failure at ENGINE");
    }

    @Test
    void aSlotOutOfDeviceMemoryFailsWithTheKeyAndTheRestoredOperatorLosesNothing() throws Exception {
        assertRecoversFrom(Faults.Site.ENGINE_OUT_OF_MEMORY, "cannot open a cpu engine slot for key",
                "CUDA_ERROR_OUT_OF_MEMORY");
    }

    private void assertRecoversFrom(Faults.Site site, String... message) throws Exception {
        List<ScanInput> records = TestRecords.first(60, 9);
        List<String> expected;
        try (Reference ref = new Reference()) {
            expected = render(ref.classifyPerChunk(records));
        }
        int checkpointed = 24;
        List<String> committed = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = open(null)) {
            for (int i = 0; i < checkpointed; i++) {
                h.processElement(records.get(i), i);
            }
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            committed.addAll(render(Harnesses.values(h)));
            Faults.of(run).arm(site, 1);
            IllegalStateException failure = assertThrows(IllegalStateException.class, () -> {
                for (int i = checkpointed; i < records.size(); i++) {
                    h.processElement(records.get(i), i);
                }
                h.prepareSnapshotPreBarrier(2);
            });
            for (String words : message) {
                assertTrue(failure.getMessage().contains(words), failure.getMessage());
            }
            assertEquals(1, Faults.of(run).injected(site));
        }
        try (var h = open(snapshot)) {
            for (int i = checkpointed; i < records.size(); i++) {
                h.processElement(records.get(i), i);
            }
            h.prepareSnapshotPreBarrier(2);
            committed.addAll(render(Harnesses.values(h)));
        }
        assertEquals(byKey(expected), byKey(committed));
    }
}
