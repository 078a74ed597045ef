package io.scanflow.audio.sink;

import io.scanflow.audio.source.AudioChunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes each stream of {@link AudioChunk}s to {@code <directory>/<stream>.wav} (mono 16-bit PCM; a stream
 * key that already ends in {@code .wav} is used as it is),
 * exactly once: a file becomes visible only when the checkpoint after its last chunk completes (at the
 * end of a bounded job without checkpoints, when the job finishes). Key the input by stream so a stream
 * always reaches the same writer.
 */
public final class WavSink implements Sink<AudioChunk>, SupportsCommitter<WavCommittable>,
        SupportsWriterState<AudioChunk, WavWriterState> {
    private static final long serialVersionUID = 1L;

    private final String directory;

    public WavSink(Path directory) {
        this.directory = directory.toAbsolutePath().toString();
    }

    private Path dir() {
        Path d = Path.of(directory);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(d + ": cannot be created: " + e.getMessage(), e);
        }
        return d;
    }

    @Override
    public WavSinkWriter createWriter(WriterInitContext context) {
        return new WavSinkWriter(dir(), List.of());
    }

    @Override
    public StatefulSinkWriter<AudioChunk, WavWriterState> restoreWriter(WriterInitContext context,
                                                                         Collection<WavWriterState> state) {
        return new WavSinkWriter(dir(), state);
    }

    @Override
    public SimpleVersionedSerializer<WavWriterState> getWriterStateSerializer() {
        return new WavSinkSerializers.WriterStates();
    }

    @Override
    public Committer<WavCommittable> createCommitter(CommitterInitContext context) {
        return new WavCommitter();
    }

    @Override
    public SimpleVersionedSerializer<WavCommittable> getCommittableSerializer() {
        return new WavSinkSerializers.Committables();
    }
}
