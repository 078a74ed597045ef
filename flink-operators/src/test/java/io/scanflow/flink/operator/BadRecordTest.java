package io.scanflow.flink.operator;

import static io.scanflow.flink.TestRecords.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.BadRecord;
import io.scanflow.flink.Classify;
import io.scanflow.flink.Prediction;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.ScanOptions;
import io.scanflow.model.io.BadRecordPolicy;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

/** Records the model cannot take: a side output naming key, field and value, or a failed job. */
@SuppressWarnings("try") // harnesses close with a broad throws clause
class BadRecordTest {

    @Test
    void badRecordsGoToTheSideOutputAndOtherKeysAreUntouched() throws Exception {
        List<ScanInput> good = List.of(ScanInput.tokens("a", 1, 1, 2), ScanInput.tokens("b", 2, 3, 4),
                ScanInput.tokens("b", 6, 5));
        List<String> expected;
        try (Reference ref = new Reference()) {
            expected = render(ref.classifyPerChunk(good));
        }
        try (var h = Harnesses.<Prediction>create(Classify.perChunk(), ScanOptions.defaults().withBundleSize(3))) {
            h.open();
            h.processElement(good.get(0), 1);
            h.processElement(ScanInput.tokens("b", 2, 3, 4), 2);
            h.processElement(ScanInput.tokens("b", 3, 7, 50), 3);
            h.processElement(ScanInput.tokens("c", 4), 4);
            h.processElement(new ScanInput("d", null, new float[33], false, 5), 5);
            h.processElement(new ScanInput("e", null, new float[64], false, 6), 6);
            h.processElement(new ScanInput("f", new int[] {1}, new float[32], false, 7), 7);
            h.processElement(new ScanInput("g", null, null, false, 8), 8);
            h.processElement(ScanInput.tokens("b", 6, 5), 9);
            h.prepareSnapshotPreBarrier(1);
            assertEquals(expected, render(Harnesses.values(h)));

            List<BadRecord> bad = new ArrayList<>();
            for (StreamRecord<BadRecord> r : h.getSideOutput(ScanOperators.BAD_RECORDS)) {
                bad.add(r.getValue());
            }
            assertEquals(6, bad.size());
            assertBad(bad.get(0), "b", "tokens[1]", "50", "outside the vocabulary [0, 50)");
            assertBad(bad.get(1), "c", "tokens", "[]", "empty chunk");
            assertBad(bad.get(2), "d", "features", "float[33]", "takes token ids, not feature rows");
            assertBad(bad.get(3), "e", "features", "float[64]", "takes token ids, not feature rows");
            assertBad(bad.get(4), "f", "features", "float[32]", "not both");
            assertBad(bad.get(5), "g", "tokens", "null", "needs a chunk");
            ModelOperator<?> op = (ModelOperator<?>) h.getOneInputOperator();
            assertEquals(6, op.metrics.badRecords.getCount());
        }
    }

    private static void assertBad(BadRecord b, String key, String field, String value, String reason) {
        assertEquals(key, b.key());
        assertEquals(field, b.field());
        assertEquals(value, b.value());
        assertTrue(b.reason().contains(reason), b.reason());
    }

    @Test
    void theFailPolicyFailsWithKeyFieldAndValue() throws Exception {
        try (var h = Harnesses.<Prediction>create(Classify.perChunk(),
                ScanOptions.defaults().withBadRecords(BadRecordPolicy.FAIL))) {
            h.open();
            SuppressRestartsException e = assertThrows(SuppressRestartsException.class,
                    () -> h.processElement(ScanInput.tokens("k7", 1, 3, -2), 1));
            assertTrue(e.getCause() instanceof io.scanflow.flink.BadRecordException, "no restart, and the cause is the record");
            assertEquals("bad record for key 'k7': tokens[1] = -2: outside the vocabulary [0, 50)", e.getCause().getMessage());
        }
    }

    @Test
    void theSkipPolicyDropsAndCountsBadRecordsAndOtherRecordsGoOn() throws Exception {
        List<ScanInput> good = List.of(ScanInput.tokens("a", 1, 1, 2), ScanInput.tokens("b", 2, 3, 4));
        List<String> expected;
        try (Reference ref = new Reference()) {
            expected = render(ref.classifyPerChunk(good));
        }
        try (var h = Harnesses.<Prediction>create(Classify.perChunk(),
                ScanOptions.defaults().withBundleSize(3).withBadRecords(BadRecordPolicy.SKIP))) {
            h.open();
            h.processElement(good.get(0), 1);
            h.processElement(ScanInput.tokens("a", 2, 60), 2);
            h.processElement(ScanInput.tokens("c", 3), 3);
            h.processElement(good.get(1), 4);
            h.prepareSnapshotPreBarrier(1);
            assertEquals(expected, render(Harnesses.values(h)));
            assertNull(h.getSideOutput(ScanOperators.BAD_RECORDS), "nothing on the side output");
            ModelOperator<?> op = (ModelOperator<?>) h.getOneInputOperator();
            assertEquals(2, op.metrics.badRecords.getCount());
        }
    }
}
