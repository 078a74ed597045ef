package io.scanflow.model.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassificationHeadsTest {

    @TempDir
    Path dir;

    private void writeValidHead() throws IOException {
        HeadFiles.json(dir, HeadFiles.headJson("[\"human\", \"chimpanzee\", \"gorilla\"]", "mean", 2));
        HeadFiles.safetensors(dir.resolve("head.safetensors"), HeadFiles.weights(3, 2,
                new float[] {1, 0, 0, 1, -1, -1}, new float[] {0.5f, 0, 0}));
    }

    @Test
    void loadsLabelsPoolingAndWeightsAndComputesLinearLogits() throws IOException {
        writeValidHead();
        ClassificationHead head = ClassificationHeads.load(dir, 2);
        assertEquals(List.of("human", "chimpanzee", "gorilla"), head.labels());
        assertEquals(Pooling.MEAN, head.pooling());
        float[] z = new float[3];
        head.logits(new float[] {2, 3}, 0, z);
        assertArrayEquals(new float[] {2.5f, 3, -5}, z, 1e-6f);
    }

    @Test
    void probabilitiesAreAStableSoftmaxThatSumsToOne() throws IOException {
        writeValidHead();
        ClassificationHead head = ClassificationHeads.load(dir);
        float[] p = head.probabilities(new float[] {2, 3});
        double e0 = Math.exp(2.5), e1 = Math.exp(3), e2 = Math.exp(-5), sum = e0 + e1 + e2;
        assertArrayEquals(new float[] {(float) (e0 / sum), (float) (e1 / sum), (float) (e2 / sum)}, p, 1e-6f);
        float[] huge = {1000f, 999f, -1000f};
        ClassificationHead.softmaxInPlace(huge);
        assertEquals(1.0, huge[0] + huge[1] + huge[2], 1e-6);
        assertEquals(1, ClassificationHead.argmax(p));
    }

    @Test
    void meanAndLastPooling() {
        float[] states = {1, 2, 3, 4, 5, 6};
        float[] out = new float[2];
        Pooling.MEAN.pool(states, 0, 3, 2, out);
        assertArrayEquals(new float[] {3, 4}, out);
        Pooling.LAST.pool(states, 0, 3, 2, out);
        assertArrayEquals(new float[] {5, 6}, out);
    }

    @Test
    void wrongHiddenSizeNamesTheFieldAndBothSizes() throws IOException {
        writeValidHead();
        HeadFormatException e = assertThrows(HeadFormatException.class, () -> ClassificationHeads.load(dir, 64));
        assertTrue(e.getMessage().contains("head.json: field 'hidden_size': expected 64"), e.getMessage());
        assertTrue(e.getMessage().contains("found 2"), e.getMessage());
    }

    @Test
    void badFieldsAreNamed() throws IOException {
        HeadFiles.safetensors(dir.resolve("head.safetensors"), HeadFiles.weights(2, 2, new float[4], new float[2]));
        Map<String, String> cases = Map.of(
                "{\"format\": \"other\", \"version\": 1}", "field 'format'",
                "{\"format\": \"scanflow-classification-head\", \"version\": 2}", "field 'version': expected 1",
                HeadFiles.headJson("[]", "mean", 2), "field 'labels'",
                HeadFiles.headJson("[\"a\", \"a\"]", "mean", 2), "field 'labels[1]': expected distinct labels",
                HeadFiles.headJson("[\"a\", \"b\"]", "max", 2), "field 'pooling': expected \"mean\" or \"last\", found \"max\"",
                HeadFiles.headJson("[\"a\", \"b\"]", "mean", 0), "field 'hidden_size'",
                "{\"format\": ", "is not valid JSON");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HeadFiles.json(dir, c.getKey());
            HeadFormatException e = assertThrows(HeadFormatException.class, () -> ClassificationHeads.load(dir), c.getKey());
            assertTrue(e.getMessage().contains(dir.resolve("head.json").toString()), e.getMessage());
            assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + " -> " + e.getMessage());
        }
    }

    @Test
    void weightShapeMismatchNamesTheTensorAndExpectedShape() throws IOException {
        HeadFiles.json(dir, HeadFiles.headJson("[\"a\", \"b\", \"c\"]", "last", 2));
        HeadFiles.safetensors(dir.resolve("head.safetensors"), HeadFiles.weights(2, 2, new float[4], new float[2]));
        HeadFormatException e = assertThrows(HeadFormatException.class, () -> ClassificationHeads.load(dir));
        assertTrue(e.getMessage().contains("classifier.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("[3, 2]"), e.getMessage());
    }

    @Test
    void missingWeightsFileAndExtraTensorsAreErrors() throws IOException {
        HeadFiles.json(dir, HeadFiles.headJson("[\"a\", \"b\"]", "mean", 2));
        HeadFormatException missing = assertThrows(HeadFormatException.class, () -> ClassificationHeads.load(dir));
        assertTrue(missing.getMessage().contains("field 'weights'"), missing.getMessage());

        Map<String, Object[]> extra = HeadFiles.weights(2, 2, new float[4], new float[2]);
        extra.put("classifier.scale", new Object[] {new long[] {2}, new float[2]});
        HeadFiles.safetensors(dir.resolve("head.safetensors"), extra);
        HeadFormatException e = assertThrows(HeadFormatException.class, () -> ClassificationHeads.load(dir));
        assertTrue(e.getMessage().contains("classifier.scale"), e.getMessage());
    }
}
