package io.scanflow.flink.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.BadRecord;
import io.scanflow.flink.Classify;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.Prediction;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.ScanOptions;
import io.scanflow.flink.TestRecords;
import io.scanflow.model.testing.FeatureModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feature chunks (audio frames, say) run through a feature-input model. The model here is the token
 * fixture with {@code input_proj = embedding^T}, so one-hot rows must give exactly the token model's
 * predictions; each model rejects the other kind of chunk through the side output.
 */
class FeatureChunksTest {
    private static final int VOCAB = 50;

    @TempDir
    Path dir;

    @Test
    void oneHotFeatureChunksClassifyExactlyLikeTheirTokens() throws Exception {
        ModelSpec features = ModelSpec.of(FeatureModels.oneHotCopy(Harnesses.modelDir(), dir))
                .withEngine(io.scanflow.flink.EngineChoice.CPU).withChunkLength(16);
        List<ScanInput> tokens = TestRecords.first(40, 3);
        List<Prediction> expected;
        try (var h = Harnesses.<Prediction>create(Classify.perChunk(), ScanOptions.defaults().withBundleSize(5))) {
            h.open();
            for (int i = 0; i < tokens.size(); i++) {
                h.processElement(tokens.get(i), i);
            }
            h.prepareSnapshotPreBarrier(1);
            expected = Harnesses.values(h);
        }
        try (var h = Harnesses.<Prediction>create(features, Classify.perChunk(), ScanOptions.defaults().withBundleSize(5), 1, 0)) {
            h.open();
            for (int i = 0; i < tokens.size(); i++) {
                ScanInput t = tokens.get(i);
                h.processElement(new ScanInput(t.key(), null, t.tokens() == null ? null : FeatureModels.oneHot(t.tokens(), VOCAB),
                        t.endOfStream(), t.eventTime()), i);
            }
            h.prepareSnapshotPreBarrier(1);
            assertEquals(TestRecords.render(expected), TestRecords.render(Harnesses.values(h)));

            h.processElement(ScanInput.tokens("t", 9, 1, 2), 100);
            h.processElement(new ScanInput("w", null, new float[VOCAB + 1], false, 101), 101);
            h.prepareSnapshotPreBarrier(2);
            List<BadRecord> bad = new ArrayList<>();
            for (StreamRecord<BadRecord> r : h.getSideOutput(ScanOperators.BAD_RECORDS)) {
                bad.add(r.getValue());
            }
            assertEquals(2, bad.size());
            assertTrue(bad.get(0).reason().contains("takes feature rows of 50 floats"), bad.get(0).reason());
            assertTrue(bad.get(1).reason().contains("wrong feature width"), bad.get(1).reason());
        }
    }
}
