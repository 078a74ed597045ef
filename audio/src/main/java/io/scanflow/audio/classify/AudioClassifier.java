package io.scanflow.audio.classify;

import io.scanflow.audio.features.FeatureExtractor;
import io.scanflow.kernels.Engine;
import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.loader.ModelLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A feature-input backbone plus its {@link ClassifierHead}: one window of samples -> feature frames ->
 * mean-pooled final hidden state (one engine call from a fresh state) -> class probabilities.
 *
 * <p>Windows: a stream is cut into windows of {@link ClassifierHead#windowSamples} every
 * {@link ClassifierHead#hopSamples}; a stream shorter than a window is zero-padded to one window (the
 * training clips are zero-padded the same way). The stream's prediction is the mean of its windows'
 * probability vectors. Not thread-safe (engine and extractor are per task).
 */
public final class AudioClassifier implements AutoCloseable {
    private final SequenceModel model;
    private final ClassifierHead head;
    private final Engine engine;
    private final FeatureExtractor extractor;
    private final int slot;

    public AudioClassifier(SequenceModel model, ClassifierHead head, Engine engine) {
        if (model.inputFeatures() != head.features().width()) {
            throw new IllegalArgumentException("model takes " + model.inputFeatures() + " features per frame, head.json "
                    + "describes " + head.features().width());
        }
        this.model = model;
        this.head = head;
        this.engine = engine;
        this.extractor = new FeatureExtractor(head.features());
        this.slot = engine.openSlot();
    }

    /** Loads {@code modelDir} on a single-threaded CPU engine. */
    public static AudioClassifier load(Path modelDir) {
        SequenceModel model = ModelLoader.load(modelDir);
        ClassifierHead head = ClassifierHead.load(modelDir, model.hiddenSize());
        return new AudioClassifier(model, head, new CpuEngine(model, 1, 256));
    }

    public ClassifierHead head() {
        return head;
    }

    public int sampleRate() {
        return head.features().sampleRate();
    }

    /** Probabilities for one window: {@code samples[offset, offset + windowSamples)}, zero-padded past the end. */
    public float[] classifyWindow(float[] samples, int offset) {
        int w = head.windowSamples();
        float[] window = offset == 0 && samples.length == w ? samples
                : Arrays.copyOfRange(samples, offset, offset + w);
        return head.probabilities(pooled(extractor.extract(window, 0, w)));
    }

    /** Window start offsets for a stream of {@code length} samples (at least one window). */
    public int[] windowStarts(int length) {
        int w = head.windowSamples();
        int hop = head.hopSamples();
        int count = length <= w ? 1 : 1 + (length - w + hop - 1) / hop;
        int[] starts = new int[count];
        for (int i = 0; i < count; i++) {
            starts[i] = i * hop;
        }
        return starts;
    }

    /** Mean-pooled final hidden state of the feature frames, from a fresh state. */
    public float[] pooled(float[] features) {
        engine.resetSlot(slot);
        float[][] out = {new float[model.hiddenSize()]};
        engine.prefillFeatures(new int[] {slot}, new float[][] {features}, Output.MEAN_HIDDEN, out);
        return out[0];
    }

    /** Index of the largest probability. */
    public static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public void close() {
        engine.close();
    }
}
