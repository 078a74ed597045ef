package io.scanflow.audio.source;

import io.scanflow.model.io.BadRecordPolicy;
import java.util.Map;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;

/** One fetcher thread running an {@link AudioSplitReader}; asks the enumerator for the next split when idle. */
final class AudioSourceReader
        extends SingleThreadMultiplexSourceReaderBase<AudioRecord, AudioRecord, AudioSplit, AudioSplitState> {

    AudioSourceReader(SourceReaderContext context, int sampleRate, int chunkSamples, BadRecordPolicy policy) {
        super(() -> new AudioSplitReader(sampleRate, chunkSamples),
                new AudioRecordEmitter(policy, context.metricGroup().counter("badRecords")), new Configuration(), context);
    }

    @Override
    public void start() {
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSplitRequest();
        }
    }

    @Override
    protected void onSplitFinished(Map<String, AudioSplitState> finished) {
        context.sendSplitRequest();
    }

    @Override
    protected AudioSplitState initializedState(AudioSplit split) {
        return new AudioSplitState(split);
    }

    @Override
    protected AudioSplit toSplitType(String splitId, AudioSplitState state) {
        return state.toSplit();
    }
}
