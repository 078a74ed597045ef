package io.scanflow.audio.classify;

/** The feature frames of one window of one stream (a Flink POJO): what the classifier's backbone reads. */
public class FeatureWindow {
    public String stream;
    /** Window number within the stream, from 0. */
    public int window;
    public double startSeconds;
    public double endSeconds;
    /** [frames, width] row-major. */
    public float[] features;
    /** The stream's last window. */
    public boolean last;

    public FeatureWindow() {}
}
