package io.scanflow.audio.classify;

import io.scanflow.audio.io.SampleStream;
import io.scanflow.model.head.ClassificationHead;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Classifies one live stream (standard input) window by window as its samples arrive, outside Flink: a
 * stream read once cannot be replayed, so there is nothing for a checkpoint to restore. Windows are the
 * job's ({@link AudioInput#windows}: {@code window} samples every {@code hop}, the last one zero-padded, at
 * least one), each handed to {@code sink} as soon as its last sample has been read.
 */
public final class LiveClassification {
    private LiveClassification() {}

    /** Reads {@code in} (at the classifier's rate) to its end; returns the number of windows. */
    public static int run(AudioClassifier classifier, SampleStream in, String stream, Consumer<WindowPrediction> sink) {
        AudioInput input = classifier.input();
        int w = input.windowSamples();
        int hop = input.hopSamples();
        float[] buf = new float[2 * w];
        int filled = 0;
        int window = 0;
        long read = 0;
        while (true) {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            int n = in.read(buf, filled, buf.length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
            read += n;
            while (filled >= w) {
                sink.accept(predict(classifier, stream, window++, buf, 0));
                System.arraycopy(buf, hop, buf, 0, filled - hop);
                filled -= hop;
            }
        }
        // The rest: windows that start before the end of the stream and are not yet out (zero-padded).
        int total = input.windows(read);
        while (window < total) {
            float[] last = new float[w];
            System.arraycopy(buf, 0, last, 0, Math.min(filled, w));
            sink.accept(predict(classifier, stream, window++, last, 0));
            int shift = Math.min(hop, filled);
            System.arraycopy(buf, shift, buf, 0, filled - shift);
            filled -= shift;
        }
        return window;
    }

    private static WindowPrediction predict(AudioClassifier classifier, String stream, int index, float[] samples, int offset) {
        AudioInput input = classifier.input();
        float[] p = classifier.classifyWindow(samples, offset);
        WindowPrediction out = new WindowPrediction();
        out.stream = stream;
        out.window = index;
        out.startSeconds = (double) index * input.hopSamples() / input.sampleRate();
        out.endSeconds = out.startSeconds + input.windowSeconds();
        out.label = ClassificationHead.argmax(p);
        out.labelName = classifier.head().labels().get(out.label);
        out.probability = p[out.label];
        out.probabilities = p;
        return out;
    }
}
