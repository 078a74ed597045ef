package io.scanflow.audio.detect;

/**
 * What {@link SpeechDetector} remembers of one stream between chunks (a Flink POJO, kept in keyed state).
 * Its size is bounded whatever the stream's length: the samples kept are those a window still needs (at
 * most about two windows), the words waiting for their window's end are at most a few.
 */
public class DetectorState {
    /** Samples of the stream consumed so far. */
    public long position;
    /** Energy frames processed so far (frame k covers samples [k * frame, (k + 1) * frame)). */
    public long frames;
    /** Stream position of {@code history[0]}. */
    public long historyStart;
    /** The samples from {@code historyStart} to {@code position}. */
    public float[] history = new float[0];
    /** Tracked noise floor in dB (NaN before the first frame). */
    public float noiseFloorDb = Float.NaN;
    /** Consecutive frames above the onset threshold outside a word. */
    public int loudRun;
    /** First frame of the word being heard, or -1 outside a word. */
    public long wordStartFrame = -1;
    /** Last frame above the offset threshold in the word being heard. */
    public long lastLoudFrame = -1;
    /** Words that ended and wait for their window's last sample: (start frame, end frame) pairs. */
    public long[] ended = new long[0];
    /** Words handed out so far (the next word's index). */
    public int words;

    public DetectorState() {}
}
