package io.scanflow.audio.source;

import io.scanflow.audio.AudioFormatException;

/** A stream that could not be read: what the side output carries (a Flink POJO). */
public class AudioError {
    public String stream;
    public String file;
    public long byteOffset;
    public String field;
    public String problem;

    public AudioError() {}

    public static AudioError of(String stream, AudioFormatException e) {
        AudioError a = new AudioError();
        a.stream = stream;
        a.file = e.file();
        a.byteOffset = e.byteOffset();
        a.field = e.field();
        a.problem = e.problem();
        return a;
    }

    @Override
    public String toString() {
        return file + ": byte " + byteOffset + ", field " + field + ": " + problem;
    }
}
