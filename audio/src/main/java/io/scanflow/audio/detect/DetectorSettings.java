package io.scanflow.audio.detect;

import io.scanflow.audio.classify.AudioInput;
import java.io.Serializable;

/**
 * How {@link SpeechDetector} finds words in a stream: frame energies against a tracked noise floor, with
 * hysteresis, and the classifier window it cuts around each word.
 *
 * @param sampleRate       samples per second of the stream (the classifier's rate)
 * @param frameSamples     samples per energy frame (the feature hop: 16 ms at 16 kHz)
 * @param onsetDb          a word starts after {@code onsetFrames} frames this far above the noise floor
 * @param offsetDb         a word goes on while frames are this far above the floor
 * @param onsetFrames      consecutive loud frames that start a word (shorter clicks are ignored)
 * @param hangoverFrames   quiet frames that end a word (shorter gaps, such as the closure in "six", do not)
 * @param minWordFrames    shorter segments are dropped
 * @param floorFrames      the floor is a running mean of the noise frames' energy over about this many frames
 * @param floorRiseDb      how fast louder frames (a word, a lasting rise of the noise) may pull the floor up, per frame
 * @param preRollSamples   the window starts this long before the word, as the training clips do
 * @param windowSamples    samples per classifier window; a word is cut at {@code window - preRoll}
 */
public record DetectorSettings(int sampleRate, int frameSamples, double onsetDb, double offsetDb, int onsetFrames,
                               int hangoverFrames, int minWordFrames, double floorFrames, double floorRiseDb, int preRollSamples,
                               int windowSamples) implements Serializable {

    public DetectorSettings {
        if (frameSamples <= 0 || windowSamples <= preRollSamples + frameSamples || onsetFrames < 1
                || hangoverFrames < 1 || offsetDb > onsetDb || floorFrames < 1) {
            throw new IllegalArgumentException("inconsistent detector settings: " + frameSamples + "-sample frames, a "
                    + windowSamples + "-sample window with " + preRollSamples + " before the word, onset " + onsetDb
                    + " dB over " + onsetFrames + " frames, offset " + offsetDb + " dB");
        }
    }

    /**
     * The settings for a classifier's input: frames of its feature hop, its window, the word 0.1 s into the
     * window (where the training clips put it).
     */
    public static DetectorSettings forInput(AudioInput input) {
        int rate = input.sampleRate();
        int frame = input.features().hop();
        double framesPerSecond = (double) rate / frame;
        return new DetectorSettings(rate, frame, 6.0, 3.0, 3, (int) Math.round(0.25 * framesPerSecond),
                (int) Math.round(0.08 * framesPerSecond), 0.5 * framesPerSecond, 3.0 / framesPerSecond, (int) Math.round(0.1 * rate),
                input.windowSamples());
    }

    /** Longest word, in frames: what fits in a window after the pre-roll. */
    public int maxWordFrames() {
        return (windowSamples - preRollSamples) / frameSamples;
    }
}
