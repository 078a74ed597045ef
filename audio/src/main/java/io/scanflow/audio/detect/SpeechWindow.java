package io.scanflow.audio.detect;

/** A word found in a stream and the feature frames of the window around it (a Flink POJO). */
public class SpeechWindow {
    public String stream;
    /** The word's number within its stream, from 0. */
    public int index;
    public double startSeconds;
    public double endSeconds;
    /** The window's frames, [frames, width] row-major, normalised as the classifier's input says. */
    public float[] features;

    public SpeechWindow() {}
}
