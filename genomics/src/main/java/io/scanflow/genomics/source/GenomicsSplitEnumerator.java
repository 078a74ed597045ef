package io.scanflow.genomics.source;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Hands out planned splits one at a time to readers that ask (bounded input: when none are left,
 * the asking reader is told there will be no more). Splits a failed reader had are given back and
 * handed out again from their checkpointed positions.
 */
public final class GenomicsSplitEnumerator implements SplitEnumerator<GenomicsSplit, GenomicsEnumeratorState> {
    private final SplitEnumeratorContext<GenomicsSplit> context;
    private final Deque<GenomicsSplit> pending;

    /** An enumerator handing out {@code splits} to readers that ask. */
    public GenomicsSplitEnumerator(SplitEnumeratorContext<GenomicsSplit> context, List<GenomicsSplit> splits) {
        this.context = context;
        this.pending = new ArrayDeque<>(splits);
    }

    @Override
    public void start() {
    }

    @Override
    public void handleSplitRequest(int subtask, String requesterHostname) {
        if (!context.registeredReaders().containsKey(subtask)) {
            return; // the reader failed meanwhile
        }
        GenomicsSplit next = pending.poll();
        if (next != null) {
            context.assignSplit(next, subtask);
        } else {
            context.signalNoMoreSplits(subtask);
        }
    }

    @Override
    public void addSplitsBack(List<GenomicsSplit> splits, int subtaskId) {
        for (int i = splits.size() - 1; i >= 0; i--) {
            pending.addFirst(splits.get(i));
        }
    }

    @Override
    public void addReader(int subtaskId) {
        // Readers ask for splits themselves.
    }

    @Override
    public GenomicsEnumeratorState snapshotState(long checkpointId) {
        return new GenomicsEnumeratorState(List.copyOf(pending));
    }

    @Override
    public void close() {
    }
}
