package io.scanflow.audio.source;

import io.scanflow.model.io.BadInput;

/**
 * What the audio source emits: a chunk of samples, or the {@link BadInput} of a stream that cannot be read
 * (the same shape the genomics source gives bad input). Exactly one of the two is set.
 * {@link AudioRecords#splitErrors} turns this into chunks plus a side output.
 */
public class AudioRecord {
    public AudioChunk chunk;
    public BadInput error;

    public AudioRecord() {}

    public static AudioRecord of(AudioChunk chunk) {
        AudioRecord r = new AudioRecord();
        r.chunk = chunk;
        return r;
    }

    public static AudioRecord of(BadInput error) {
        AudioRecord r = new AudioRecord();
        r.error = error;
        return r;
    }
}
