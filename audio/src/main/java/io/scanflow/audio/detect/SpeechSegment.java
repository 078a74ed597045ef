package io.scanflow.audio.detect;

/**
 * A word {@link SpeechDetector} found, with the classifier window cut around it.
 *
 * @param index       the word's number within its stream, from 0
 * @param startSample first sample of the word
 * @param endSample   sample after its last one
 * @param window      the classifier's window: from {@code preRoll} samples before the word (or the stream's
 *                    start), zero-padded past the stream's end
 */
public record SpeechSegment(int index, long startSample, long endSample, float[] window) {}
