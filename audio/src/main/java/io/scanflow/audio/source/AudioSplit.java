package io.scanflow.audio.source;

import java.util.Objects;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One stream: a file (mixed down to mono) or one channel of it, with its checkpointed position.
 *
 * @param path        the file
 * @param channel     -1 for the mono mix-down, else the channel read
 * @param stream      the stream key records carry
 * @param sampleOffset samples (at the source's rate) already emitted; a restored reader continues here
 * @param ended       the end-of-stream marker was already emitted
 */
public record AudioSplit(String path, int channel, String stream, long sampleOffset, boolean ended)
        implements SourceSplit {

    public AudioSplit {
        Objects.requireNonNull(path);
        Objects.requireNonNull(stream);
    }

    @Override
    public String splitId() {
        return stream;
    }

    public AudioSplit at(long offset, boolean ended) {
        return new AudioSplit(path, channel, stream, offset, ended);
    }
}
