package io.scanflow.audio.source;

import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/** Emits records with their event time (from the sample position) and advances the split's position. */
final class AudioRecordEmitter implements RecordEmitter<AudioRecord, AudioRecord, AudioSplitState> {
    @Override
    public void emitRecord(AudioRecord record, SourceOutput<AudioRecord> output, AudioSplitState state) {
        if (record.chunk != null) {
            output.collect(record, record.chunk.eventTimeMillis());
            state.emitted(record.chunk);
        } else {
            output.collect(record);
            state.failed();
        }
    }
}
