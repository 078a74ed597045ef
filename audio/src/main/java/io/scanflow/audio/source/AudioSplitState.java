package io.scanflow.audio.source;

/** The mutable progress of a split while it is read: advanced by the emitter as records go out. */
final class AudioSplitState {
    private final AudioSplit split;
    private long offset;
    private boolean ended;

    AudioSplitState(AudioSplit split) {
        this.split = split;
        this.offset = split.sampleOffset();
        this.ended = split.ended();
    }

    void emitted(AudioChunk chunk) {
        offset = chunk.firstSample + chunk.samples.length;
        ended |= chunk.last;
    }

    void failed() {
        ended = true;
    }

    AudioSplit toSplit() {
        return split.at(offset, ended);
    }
}
