package io.scanflow.genomics.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.genomics.testing.TestData;
import io.scanflow.genomics.tokenizer.DnaVocabulary;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.head.ClassificationHead;
import io.scanflow.model.head.ClassificationHeads;
import io.scanflow.model.head.Pooling;
import io.scanflow.model.loader.ModelLoader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped read classifier (models/dna-apes) computed by the Java CPU reference path agrees with
 * PyTorch in float64 on the same (float32) weights: pooled hidden states and logits of one test read
 * per label, within 1e-4 relative to the row's largest magnitude. The tolerance is the design's
 * float32-vs-float64 parity bar; float32 rounding over 2 layers and 150 positions stays far below it.
 */
class ShippedModelParityTest {
    private static final double TOLERANCE = 1e-4;

    @Test
    void javaPooledLogitsMatchPyTorchFloat64() throws IOException {
        Path dir = TestData.shippedModel();
        SequenceModel model = ModelLoader.load(dir);
        ClassificationHead head = ClassificationHeads.load(dir, model.hiddenSize());
        assertEquals(List.of("human", "chimpanzee", "bonobo", "gorilla", "orangutan", "gibbon", "macaque",
                "squirrel_monkey", "tarsier", "lemur"), head.labels());
        assertEquals(Pooling.MEAN, head.pooling());
        assertEquals(DnaVocabulary.standard(), DnaVocabulary.fromModel(dir));

        int[] lengths = ints(dir.resolve("reference/lengths.i32"));
        int[] tokens = ints(dir.resolve("reference/tokens.i32"));
        double[] pooledRef = doubles(dir.resolve("reference/pooled.f64"));
        double[] logitsRef = doubles(dir.resolve("reference/logits.f64"));
        int batch = lengths.length;
        int maxLen = tokens.length / batch;
        int hidden = model.hiddenSize();
        int labels = head.numLabels();
        Workspace ws = model.newWorkspace(64);
        double worst = 0;
        for (int b = 0; b < batch; b++) {
            int len = lengths[b];
            float[] states = new float[len * hidden];
            model.prefill(model.newState(), tokens, b * maxLen, len, states, 0, ws);
            float[] pooled = new float[hidden];
            head.pooling().pool(states, 0, len, hidden, pooled);
            float[] logits = new float[labels];
            head.logits(pooled, 0, logits);
            worst = Math.max(worst, relative(pooled, pooledRef, b * hidden));
            worst = Math.max(worst, relative(logits, logitsRef, b * labels));
            // The reference read of label b is classified as label b.
            assertEquals(b, ClassificationHead.argmax(logits), "reference read " + b);
        }
        System.out.println("shipped model parity: max relative difference " + worst);
        assertTrue(worst <= TOLERANCE, "max relative difference " + worst);
    }

    private static double relative(float[] got, double[] ref, int offset) {
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < got.length; i++) {
            scale = Math.max(scale, Math.abs(ref[offset + i]));
            diff = Math.max(diff, Math.abs(got[i] - ref[offset + i]));
        }
        return diff / scale;
    }

    private static int[] ints(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[b.remaining() / 4];
        b.asIntBuffer().get(out);
        return out;
    }

    private static double[] doubles(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[b.remaining() / 8];
        b.asDoubleBuffer().get(out);
        return out;
    }
}
