package io.scanflow.genomics.source;

import io.scanflow.genomics.io.SourceRecord;
import java.util.Map;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;

/**
 * The source reader: one fetcher thread reads splits through {@link GenomicsSplitReader}; the
 * emitter keeps each split's position; a checkpoint stores every unfinished split at that position.
 * It asks the enumerator for the next split whenever it has none.
 */
public final class GenomicsSourceReader
        extends SingleThreadMultiplexSourceReaderBase<PositionedRecord, SourceRecord, GenomicsSplit, GenomicsSplitState> {

    /** A reader for one subtask, reading its splits with {@code options}. */
    public GenomicsSourceReader(SourceReaderContext context, ReadOptions options) {
        super(() -> new GenomicsSplitReader(options),
                new GenomicsRecordEmitter(options.policy(), context.metricGroup().counter("badRecords")),
                context.getConfiguration(), context);
    }

    @Override
    public void start() {
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSplitRequest();
        }
    }

    @Override
    protected void onSplitFinished(Map<String, GenomicsSplitState> finishedSplitIds) {
        context.sendSplitRequest();
    }

    @Override
    protected GenomicsSplitState initializedState(GenomicsSplit split) {
        return new GenomicsSplitState(split);
    }

    @Override
    protected GenomicsSplit toSplitType(String splitId, GenomicsSplitState state) {
        return state.toSplit();
    }
}
