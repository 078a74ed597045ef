package io.scanflow.audio.source;

/**
 * A run of consecutive mono samples of one stream (a Flink POJO). The source emits them in order per
 * stream; an empty chunk with {@code last} set closes the stream. The same type carries generated audio
 * into the WAV sink.
 */
public class AudioChunk {
    /** The stream key: the file name (plus {@code #cN} per channel), or a generation session. */
    public String stream;
    /** Position of {@code samples[0]} in the stream, counted at {@code sampleRate} from the stream's start. */
    public long firstSample;
    public int sampleRate;
    public float[] samples;
    /** No samples follow in this stream. */
    public boolean last;

    public AudioChunk() {}

    public AudioChunk(String stream, long firstSample, int sampleRate, float[] samples, boolean last) {
        this.stream = stream;
        this.firstSample = firstSample;
        this.sampleRate = sampleRate;
        this.samples = samples;
        this.last = last;
    }

    /** Event time of the first sample, in milliseconds from the stream's start. */
    public long eventTimeMillis() {
        return firstSample * 1000 / sampleRate;
    }

    @Override
    public String toString() {
        return stream + "@" + firstSample + "+" + samples.length + (last ? " (last)" : "");
    }
}
