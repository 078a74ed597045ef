package io.scanflow.audio.source;

/**
 * What the audio source emits: a chunk of samples, or an error for a stream that cannot be read. Exactly
 * one of the two is set. {@link AudioRecords#splitErrors} turns this into chunks plus a side output.
 */
public class AudioRecord {
    public AudioChunk chunk;
    public AudioError error;

    public AudioRecord() {}

    public static AudioRecord of(AudioChunk chunk) {
        AudioRecord r = new AudioRecord();
        r.chunk = chunk;
        return r;
    }

    public static AudioRecord of(AudioError error) {
        AudioRecord r = new AudioRecord();
        r.error = error;
        return r;
    }
}
