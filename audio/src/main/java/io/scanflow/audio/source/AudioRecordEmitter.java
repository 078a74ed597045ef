package io.scanflow.audio.source;

import io.scanflow.model.io.BadInputException;
import io.scanflow.model.io.BadRecordPolicy;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.execution.SuppressRestartsException;

/**
 * Emits records with their event time (from the sample position), applies the bad-record policy to
 * unreadable streams, and advances the split's position.
 */
final class AudioRecordEmitter implements RecordEmitter<AudioRecord, AudioRecord, AudioSplitState> {
    private final BadRecordPolicy policy;
    private final Counter badRecords;

    AudioRecordEmitter(BadRecordPolicy policy, Counter badRecords) {
        this.policy = policy;
        this.badRecords = badRecords;
    }

    @Override
    public void emitRecord(AudioRecord record, SourceOutput<AudioRecord> output, AudioSplitState state) {
        if (record.chunk != null) {
            output.collect(record, record.chunk.eventTimeMillis());
            state.emitted(record.chunk);
            return;
        }
        badRecords.inc();
        if (policy == BadRecordPolicy.FAIL) {
            // The same file fails every restart: restarting only delays the one-line answer.
            throw new SuppressRestartsException(new BadInputException(record.error));
        }
        if (policy == BadRecordPolicy.SIDE_OUTPUT) {
            output.collect(record);
        }
        state.failed();
    }
}
