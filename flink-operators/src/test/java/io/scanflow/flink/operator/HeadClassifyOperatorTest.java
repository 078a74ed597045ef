package io.scanflow.flink.operator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.Embed;
import io.scanflow.flink.Embedding;
import io.scanflow.flink.HeadClassify;
import io.scanflow.flink.HeadPrediction;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import io.scanflow.model.head.ClassificationHead;
import io.scanflow.model.head.ClassificationHeads;
import io.scanflow.model.head.Pooling;
import io.scanflow.model.testing.Fixture;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The head-aware classify operator against an independent path: the embed operator's pooled states
 * (as head.json pools them) with the head applied here. Several records per key, so a record's call
 * also depends on the state its key's earlier records left.
 */
@SuppressWarnings("try") // harnesses close with a broad throws clause
class HeadClassifyOperatorTest {
    /** The shipped read classifier: a Mamba-1 backbone with a mean-pooling head over ten species. */
    private static final Path MODEL = Fixture.root().toAbsolutePath().getParent().resolve("models/dna-apes");

    @Test
    void labelsEqualTheHeadOnTheEmbedOperatorsPooledStates() throws Exception {
        ModelSpec spec = ModelSpec.of(MODEL).withEngine(EngineChoice.CPU);
        ClassificationHead head = ClassificationHeads.load(MODEL);
        List<ScanInput> records = reads(24, 5, 9);
        Embed pooling = head.pooling() == Pooling.LAST ? Embed.lastToken() : Embed.meanPooled();
        List<Embedding> pooled = run(spec, pooling, records);
        List<HeadPrediction> labels = run(spec, HeadClassify.perRecord(), records);
        assertEquals(records.size(), labels.size());
        for (int i = 0; i < labels.size(); i++) {
            Embedding e = pooled.get(i);
            HeadPrediction p = labels.get(i);
            float[] expected = head.probabilities(e.vector());
            int best = ClassificationHead.argmax(expected);
            assertEquals(e.key(), p.key());
            assertEquals(e.position(), p.position());
            assertEquals(head.labels().get(best), p.label(), p.toString());
            assertEquals(best, p.labelIndex());
            assertEquals(expected[best], p.probability());
            assertArrayEquals(expected, p.probabilities(), "record " + i);
            assertEquals(records.get(i).eventTime(), p.eventTime());
        }
    }

    /** The outputs, one per record, in the order the operator emits them (the same for both modes). */
    private static <OUT> List<OUT> run(ModelSpec spec, Serializable mode, List<ScanInput> records) throws Exception {
        try (var h = Harnesses.<OUT>create(spec, mode, ScanOptions.defaults().withBundleSize(4), 1, 0)) {
            h.open();
            for (int i = 0; i < records.size(); i++) {
                h.processElement(records.get(i), i);
            }
            h.prepareSnapshotPreBarrier(1);
            return Harnesses.values(h);
        }
    }

    /** {@code n} records of random lengths over {@code keys} keys, token ids below {@code vocab}. */
    private static List<ScanInput> reads(int n, int keys, int vocab) {
        Random random = new Random(17);
        List<ScanInput> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] tokens = new int[20 + random.nextInt(130)];
            for (int t = 0; t < tokens.length; t++) {
                tokens[t] = random.nextInt(vocab);
            }
            out.add(ScanInput.tokens("read-" + (i % keys), 1000L + i, tokens));
        }
        return out;
    }
}
