package io.scanflow.genomics.source;

import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.model.io.BadInputException;
import io.scanflow.model.io.BadRecordPolicy;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.execution.SuppressRestartsException;

/** Emits records, applies the bad-record policy, and advances the split's checkpointed position. */
final class GenomicsRecordEmitter implements RecordEmitter<PositionedRecord, SourceRecord, GenomicsSplitState> {
    private final BadRecordPolicy policy;
    private final Counter badRecords;

    GenomicsRecordEmitter(BadRecordPolicy policy, Counter badRecords) {
        this.policy = policy;
        this.badRecords = badRecords;
    }

    @Override
    public void emitRecord(PositionedRecord element, SourceOutput<SourceRecord> output, GenomicsSplitState state) {
        SourceRecord r = element.record();
        if (r.isBad()) {
            badRecords.inc();
            if (policy == BadRecordPolicy.FAIL) {
                // The same record fails every restart: restarting only delays the one-line answer.
                throw new SuppressRestartsException(new BadInputException(r.bad()));
            }
            if (policy == BadRecordPolicy.SIDE_OUTPUT) {
                output.collect(r);
            }
        } else {
            output.collect(r);
        }
        state.position = element.position();
        state.ordinal = element.ordinal();
    }
}
