package io.scanflow.flink.operator;

import static io.scanflow.flink.TestRecords.byKey;
import static io.scanflow.flink.TestRecords.render;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scanflow.flink.Embed;
import io.scanflow.flink.Embedding;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import io.scanflow.flink.TestRecords;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Embeddings per chunk equal the engine's own, last-token and mean-pooled. */
@SuppressWarnings("try") // harnesses close with a broad throws clause
class EmbedOperatorTest {

    @Test
    void embeddingsEqualTheEngineAlone() throws Exception {
        List<ScanInput> records = TestRecords.first(50, 4);
        for (boolean mean : new boolean[] {false, true}) {
            List<String> expected;
            try (Reference ref = new Reference()) {
                expected = render(ref.embed(records, mean));
            }
            try (var h = Harnesses.<Embedding>create(mean ? Embed.meanPooled() : Embed.lastToken(),
                    ScanOptions.defaults().withBundleSize(8))) {
                h.open();
                for (int i = 0; i < records.size(); i++) {
                    h.processElement(records.get(i), i);
                }
                h.prepareSnapshotPreBarrier(1);
                List<Embedding> out = Harnesses.values(h);
                assertEquals(32, out.get(0).vector().length);
                assertEquals(byKey(expected), byKey(render(out)), mean ? "mean" : "last");
            }
        }
    }
}
