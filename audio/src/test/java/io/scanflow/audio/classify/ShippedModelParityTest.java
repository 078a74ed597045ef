package io.scanflow.audio.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.TestPaths;
import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.head.ClassificationHead;
import io.scanflow.model.head.ClassificationHeads;
import io.scanflow.model.loader.ModelLoader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The shipped models computed by the Java engine against float64 references the training script wrote
 * (its recurrent reference path, itself checked against HF transformers at export).
 *
 * <p>Tolerance: max |java - ref| / max |ref| <= 1e-4 per output tensor, the project's float32 parity bar.
 */
class ShippedModelParityTest {
    private static final double TOLERANCE = 1e-4;

    static ByteBuffer bytes(Path p) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
    }

    static void assertClose(double[] ref, float[] got, String what) {
        assertEquals(ref.length, got.length, what + " length");
        double maxRef = 0;
        double maxDiff = 0;
        for (int i = 0; i < ref.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            maxDiff = Math.max(maxDiff, Math.abs(ref[i] - got[i]));
        }
        System.out.println(what + ": max relative error " + maxDiff / maxRef);
        assertTrue(maxDiff / maxRef <= TOLERANCE, what + ": max relative error " + maxDiff / maxRef);
    }

    @Test
    void digitClassifierMatchesTheTrainingReference() throws IOException {
        Path dir = TestPaths.models().resolve("digit-classifier");
        SequenceModel model = ModelLoader.load(dir);
        ClassificationHead head = ClassificationHeads.load(dir, model.hiddenSize());
        Path ref = dir.resolve("reference");
        String meta = Files.readString(ref.resolve("meta.json"));
        int clips = Integer.parseInt(meta.replaceAll(".*\"clips\": (\\d+).*", "$1").trim());
        int frames = Integer.parseInt(meta.replaceAll(".*\"frames\": (\\d+).*", "$1").trim());
        int width = model.inputFeatures();
        int d = model.hiddenSize();
        int classes = head.numLabels();
        ByteBuffer f = bytes(ref.resolve("features.f32"));
        ByteBuffer pooledRef = bytes(ref.resolve("pooled.f64"));
        ByteBuffer logitsRef = bytes(ref.resolve("logits.f64"));
        try (CpuEngine engine = new CpuEngine(model, 1, 32)) { // chunk 32 < frames: state carried across chunks
            for (int c = 0; c < clips; c++) {
                float[] features = new float[frames * width];
                f.asFloatBuffer().position(c * frames * width).get(features);
                int slot = engine.openSlot();
                float[][] out = {new float[d]};
                engine.prefillFeatures(new int[] {slot}, new float[][] {features}, Output.MEAN_HIDDEN, out);
                double[] pr = new double[d];
                pooledRef.asDoubleBuffer().position(c * d).get(pr);
                assertClose(pr, out[0], "clip " + c + " pooled hidden");
                double[] lr = new double[classes];
                logitsRef.asDoubleBuffer().position(c * classes).get(lr);
                float[] logits = new float[classes];
                head.logits(out[0], 0, logits);
                assertClose(lr, logits, "clip " + c + " logits");
                engine.closeSlot(slot);
            }
        }
    }

    @Test
    void mulawGeneratorMatchesTheTrainingReference() throws IOException {
        Path dir = TestPaths.models().resolve("mulaw-generator");
        SequenceModel model = ModelLoader.load(dir);
        assertEquals(256, model.vocabSize());
        ByteBuffer t = bytes(dir.resolve("reference/tokens.i32"));
        ByteBuffer l = bytes(dir.resolve("reference/logits.f64"));
        int batch = 2;
        int length = t.remaining() / 4 / batch;
        try (CpuEngine engine = new CpuEngine(model, 1, 16)) {
            for (int b = 0; b < batch; b++) {
                int[] tokens = new int[length];
                t.asIntBuffer().position(b * length).get(tokens);
                int slot = engine.openSlot();
                float[][] out = {new float[length * 256]};
                engine.prefill(new int[] {slot}, new int[][] {tokens}, Output.ALL_LOGITS, out);
                double[] ref = new double[length * 256];
                l.asDoubleBuffer().position(b * length * 256).get(ref);
                assertClose(ref, out[0], "sequence " + b + " logits");
            }
        }
    }
}
