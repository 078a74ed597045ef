package io.scanflow.audio.classify;

import io.scanflow.kernels.Engine;
import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.head.ClassificationHead;
import io.scanflow.model.head.ClassificationHeads;
import io.scanflow.model.head.Pooling;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A feature-input backbone with its classification head, outside Flink: one window of samples -> feature
 * frames ({@link WindowFeatures}) -> pooled final hidden state (one engine call from a fresh state) -> class probabilities. The
 * Flink job computes the same with {@link FeatureWindowFunction} and the keyed model operator.
 *
 * <p>Not thread-safe (engine and extractor are per caller).
 */
public final class AudioClassifier implements AutoCloseable {
    private final SequenceModel model;
    private final ClassificationHead head;
    private final AudioInput input;
    private final Engine engine;
    private final WindowFeatures features;
    private final int slot;

    public AudioClassifier(SequenceModel model, ClassificationHead head, AudioInput input, Engine engine) {
        if (model.inputFeatures() != input.features().width()) {
            throw new IllegalArgumentException("model takes " + model.inputFeatures() + " features per frame, head.json "
                    + "describes " + input.features().width());
        }
        this.model = model;
        this.head = head;
        this.input = input;
        this.engine = engine;
        this.features = new WindowFeatures(input);
        this.slot = engine.openSlot();
    }

    /** Loads {@code modelDir} on a single-threaded CPU engine. */
    public static AudioClassifier load(Path modelDir) {
        SequenceModel model = CpuEngine.loadModel(modelDir);
        ClassificationHead head = ClassificationHeads.load(modelDir, model.hiddenSize());
        return new AudioClassifier(model, head, AudioInput.load(modelDir), new CpuEngine(model, 1, 256));
    }

    public ClassificationHead head() {
        return head;
    }

    public AudioInput input() {
        return input;
    }

    public int sampleRate() {
        return input.sampleRate();
    }

    /** Probabilities for one window: {@code samples[offset, offset + windowSamples)}, zero-padded past the end. */
    public float[] classifyWindow(float[] samples, int offset) {
        int w = input.windowSamples();
        float[] window = Arrays.copyOfRange(samples, offset, offset + w);
        return head.probabilities(pooled(features.of(window)));
    }

    /** Pooled final hidden state of the feature frames, from a fresh state. */
    public float[] pooled(float[] features) {
        engine.resetSlot(slot);
        float[][] out = {new float[model.hiddenSize()]};
        Output pooling = head.pooling() == Pooling.MEAN ? Output.MEAN_HIDDEN : Output.LAST_HIDDEN;
        engine.prefillFeatures(new int[] {slot}, new float[][] {features}, pooling, out);
        return out[0];
    }

    @Override
    public void close() {
        engine.close();
    }
}
