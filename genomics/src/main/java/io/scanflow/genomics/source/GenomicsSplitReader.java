package io.scanflow.genomics.source;

import io.scanflow.genomics.io.SourceRecord;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;

/**
 * Fetches records for the reader's fetcher thread, one split at a time, in batches, each record
 * with the split's position after it.
 */
final class GenomicsSplitReader implements SplitReader<PositionedRecord, GenomicsSplit> {
    static final int BATCH = 256;

    private final ReadOptions options;
    private final Deque<GenomicsSplit> splits = new ArrayDeque<>();
    private GenomicsSplit current;
    private SplitCursor cursor;

    GenomicsSplitReader(ReadOptions options) {
        this.options = options;
    }

    @Override
    public RecordsWithSplitIds<PositionedRecord> fetch() throws IOException {
        RecordsBySplits.Builder<PositionedRecord> batch = new RecordsBySplits.Builder<>();
        if (cursor == null) {
            current = splits.poll();
            if (current == null) {
                return batch.build();
            }
            cursor = Cursors.open(current, options);
        }
        for (int i = 0; i < BATCH; i++) {
            SourceRecord r = cursor.next();
            if (r == null) {
                batch.addFinishedSplit(current.splitId());
                cursor.close();
                cursor = null;
                break;
            }
            batch.add(current.splitId(), new PositionedRecord(r, cursor.position(), cursor.ordinal()));
        }
        return batch.build();
    }

    @Override
    public void handleSplitsChanges(SplitsChange<GenomicsSplit> change) {
        if (!(change instanceof SplitsAddition)) {
            throw new UnsupportedOperationException("unsupported splits change " + change.getClass().getSimpleName());
        }
        splits.addAll(change.splits());
    }

    @Override
    public void wakeUp() {
        // fetch() never blocks
    }

    @Override
    public void close() throws Exception {
        if (cursor != null) {
            cursor.close();
        }
    }
}
