package io.scanflow.audio.classify;

/** The classifier's output for one window of one stream (a Flink POJO). */
public class WindowPrediction {
    public String stream;
    /** Window number within the stream, from 0. */
    public int window;
    public double startSeconds;
    public double endSeconds;
    /** Index of the most likely label. */
    public int label;
    public String labelName;
    public float probability;
    /** Probability of every label, in the head's label order. */
    public float[] probabilities;

    public WindowPrediction() {}
}
