package io.scanflow.audio.detect;

import io.scanflow.model.head.ClassificationHead;
import java.util.List;

/** A word found in a stream and the classifier's label for it (a Flink POJO): a row of {@code detections.tsv}. */
public class Detection {
    public String stream;
    /** The word's number within its stream, from 0. */
    public int index;
    public double startSeconds;
    public double endSeconds;
    /** The most probable label, or null while the word waits for its label. */
    public String label;
    public float probability;

    public Detection() {}

    /** The word's times, without a label yet. */
    public static Detection of(SpeechWindow w) {
        Detection d = new Detection();
        d.stream = w.stream;
        d.index = w.index;
        d.startSeconds = w.startSeconds;
        d.endSeconds = w.endSeconds;
        return d;
    }

    /** Sets the label to the most probable of {@code probabilities} (in {@code labels}' order); returns this. */
    public Detection labelled(float[] probabilities, List<String> labels) {
        int best = ClassificationHead.argmax(probabilities);
        label = labels.get(best);
        probability = probabilities[best];
        return this;
    }
}
