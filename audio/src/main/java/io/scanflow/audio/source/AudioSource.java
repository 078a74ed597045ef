package io.scanflow.audio.source;

import io.scanflow.model.io.BadRecordPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A FLIP-27 source of audio files: each file (or each channel of it) is one stream, decoded, mixed down,
 * resampled to {@code sampleRate} and cut into chunks of {@code chunkSamples}; the split's sample offset
 * is checkpointed so a restore continues at the exact sample. Records carry event time from their sample
 * position. Bounded over the inputs given, or continuous when a folder is watched. A stream that cannot be
 * read is handled by the {@link BadRecordPolicy} (by default a {@link io.scanflow.model.io.BadInput} for the
 * side output), as in the genomics source.
 *
 * <pre>
 *   AudioSource source = AudioSource.forPaths(List.of(Path.of("clips/"))).sampleRate(16000).build();
 *   DataStream&lt;AudioRecord&gt; records = env.fromSource(source, WatermarkStrategy.noWatermarks(), "audio");
 *   SingleOutputStreamOperator&lt;AudioChunk&gt; chunks = AudioRecords.splitErrors(records);
 * </pre>
 */
public final class AudioSource implements Source<AudioRecord, AudioSplit, AudioEnumeratorState>,
        ResultTypeQueryable<AudioRecord> {
    private static final long serialVersionUID = 1L;

    private final AudioFileDiscovery discovery;
    private final int sampleRate;
    private final int chunkSamples;
    private final Duration watchInterval;
    private final BadRecordPolicy badRecords;

    private AudioSource(Builder b) {
        this.discovery = new AudioFileDiscovery(b.inputs, b.perChannel);
        this.sampleRate = b.sampleRate;
        this.chunkSamples = b.chunkSamples;
        this.watchInterval = b.watchInterval;
        this.badRecords = b.badRecords;
    }

    public static Builder forPaths(List<Path> inputs) {
        return new Builder(inputs.stream().map(Path::toString).collect(Collectors.toList()));
    }

    @Override
    public Boundedness getBoundedness() {
        return watchInterval == null ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<AudioRecord, AudioSplit> createReader(SourceReaderContext context) {
        return new AudioSourceReader(context, sampleRate, chunkSamples, badRecords);
    }

    @Override
    public SplitEnumerator<AudioSplit, AudioEnumeratorState> createEnumerator(SplitEnumeratorContext<AudioSplit> context) {
        return new AudioSplitEnumerator(context, discovery, watchInterval, new AudioEnumeratorState(List.of(), Set.of()));
    }

    @Override
    public SplitEnumerator<AudioSplit, AudioEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<AudioSplit> context, AudioEnumeratorState state) {
        return new AudioSplitEnumerator(context, discovery, watchInterval, state);
    }

    @Override
    public SimpleVersionedSerializer<AudioSplit> getSplitSerializer() {
        return AudioSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<AudioEnumeratorState> getEnumeratorCheckpointSerializer() {
        return new AudioEnumeratorStateSerializer();
    }

    @Override
    public TypeInformation<AudioRecord> getProducedType() {
        return TypeInformation.of(AudioRecord.class);
    }

    public static final class Builder {
        private final List<String> inputs;
        private int sampleRate = 16000;
        private int chunkSamples = 1600;
        private boolean perChannel;
        private Duration watchInterval;
        private BadRecordPolicy badRecords = BadRecordPolicy.SIDE_OUTPUT;

        private Builder(List<String> inputs) {
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("audio source: no input files or folders");
            }
            this.inputs = inputs;
        }

        /** The model's rate: every stream is resampled to it. */
        public Builder sampleRate(int hz) {
            this.sampleRate = hz;
            return this;
        }

        public Builder chunkSamples(int samples) {
            this.chunkSamples = samples;
            return this;
        }

        /** One stream per channel instead of one mixed-down stream per file. */
        public Builder perChannel(boolean perChannel) {
            this.perChannel = perChannel;
            return this;
        }

        /** Lists the folders again every {@code interval} and reads new files (the source never ends). */
        public Builder watch(Duration interval) {
            this.watchInterval = interval;
            return this;
        }

        /**
         * What a stream that cannot be read becomes: a {@link io.scanflow.model.io.BadInput} on the
         * record stream ({@code SIDE_OUTPUT}, the default, for {@link AudioRecords#splitErrors}), a failed
         * job ({@code FAIL}), or only a count in the reader's {@code badRecords} metric ({@code SKIP}).
         */
        public Builder badRecords(BadRecordPolicy policy) {
            this.badRecords = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public AudioSource build() {
            if (sampleRate <= 0 || chunkSamples <= 0) {
                throw new IllegalArgumentException("audio source: sample rate and chunk size must be positive");
            }
            return new AudioSource(this);
        }
    }
}
