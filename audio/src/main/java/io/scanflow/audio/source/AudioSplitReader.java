package io.scanflow.audio.source;

import io.scanflow.audio.AudioFormatException;
import io.scanflow.audio.io.AudioFiles;
import io.scanflow.audio.io.SampleStream;
import io.scanflow.model.io.BadInput;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;

/**
 * Reads its splits one after the other, one chunk per fetch. A split restored at sample offset k is
 * reopened and positioned at sample k exactly (decoding and resampling are deterministic, so the samples
 * from k on are the ones a run without the restore would have produced). A file that cannot be decoded
 * yields one {@link BadInput} and its split finishes.
 */
final class AudioSplitReader implements SplitReader<AudioRecord, AudioSplit> {
    private final int sampleRate;
    private final int chunkSamples;
    private final ArrayDeque<AudioSplit> splits = new ArrayDeque<>();
    private AudioSplit current;
    private SampleStream stream;
    private long position;

    AudioSplitReader(int sampleRate, int chunkSamples) {
        this.sampleRate = sampleRate;
        this.chunkSamples = chunkSamples;
    }

    @Override
    public RecordsWithSplitIds<AudioRecord> fetch() {
        RecordsBySplits.Builder<AudioRecord> out = new RecordsBySplits.Builder<>();
        if (current == null) {
            current = splits.poll();
            if (current == null) {
                return out.build();
            }
            if (current.ended()) {
                return finish(out);
            }
            try {
                stream = AudioFiles.open(Path.of(current.path()), current.channel(), sampleRate);
                position = stream.skip(current.sampleOffset());
            } catch (AudioFormatException e) {
                out.add(current.splitId(), AudioRecord.of(badInput(current, e)));
                return finish(out);
            }
        }
        try {
            float[] buf = new float[chunkSamples];
            int n = 0;
            while (n < chunkSamples) {
                int r = stream.read(buf, n, chunkSamples - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            boolean last = n < chunkSamples;
            if (n > 0 || last) {
                out.add(current.splitId(), AudioRecord.of(new AudioChunk(current.stream(), position, sampleRate,
                        n == chunkSamples ? buf : Arrays.copyOf(buf, n), last)));
                position += n;
            }
            return last ? finish(out) : out.build();
        } catch (AudioFormatException e) {
            out.add(current.splitId(), AudioRecord.of(badInput(current, e)));
            return finish(out);
        }
    }

    /**
     * The stream named as the genomics source names its inputs (the input's unique name), the place as the
     * byte offset; the rest of the stream is not read, so the samples lost are unknown.
     */
    static BadInput badInput(AudioSplit split, AudioFormatException e) {
        return new BadInput(split.stream(), "byte " + e.byteOffset(), e.field(), e.problem())
                .lost(BadInput.UNKNOWN, false);
    }

    private RecordsWithSplitIds<AudioRecord> finish(RecordsBySplits.Builder<AudioRecord> out) {
        out.addFinishedSplit(current.splitId());
        closeStream();
        current = null;
        return out.build();
    }

    @Override
    public void handleSplitsChanges(SplitsChange<AudioSplit> change) {
        splits.addAll(change.splits());
    }

    @Override
    public void wakeUp() {
        // fetch never blocks for long: it reads at most one chunk from a local file.
    }

    @Override
    public void close() {
        closeStream();
    }

    private void closeStream() {
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }
}
