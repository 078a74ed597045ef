package io.scanflow.audio.detect;

import io.scanflow.audio.classify.AudioClassifier;
import io.scanflow.audio.io.SampleStream;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Detects and labels the words of one live stream (standard input) as its samples arrive, outside Flink: a
 * stream read once cannot be replayed, so there is nothing for a checkpoint to restore. The detector and
 * the classifier windows are those of the Flink job ({@link SpeechWindowFunction}); each detection goes to
 * {@code sink} as soon as its window's last sample has been read.
 */
public final class LiveDetection {
    private LiveDetection() {}

    /** Reads {@code in} (at the classifier's rate) to its end; returns the number of detections. */
    public static int run(AudioClassifier classifier, SampleStream in, String stream, Consumer<Detection> sink) {
        SpeechDetector detector = new SpeechDetector(DetectorSettings.forInput(classifier.input()));
        DetectorState state = new DetectorState();
        int[] count = {0};
        Consumer<SpeechSegment> words = word -> {
            Detection d = new Detection();
            d.stream = stream;
            d.index = word.index();
            d.startSeconds = (double) word.startSample() / classifier.sampleRate();
            d.endSeconds = (double) word.endSample() / classifier.sampleRate();
            sink.accept(d.labelled(classifier.classifyWindow(word.window(), 0), classifier.head().labels()));
            count[0]++;
        };
        float[] buf = new float[classifier.sampleRate() / 20]; // reads of at most 50 ms
        while (true) {
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                break;
            }
            detector.feed(state, Arrays.copyOf(buf, n), false, words);
        }
        detector.feed(state, new float[0], true, words);
        return count[0];
    }
}
