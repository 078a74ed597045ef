package io.scanflow.genomics.source;

import java.util.List;

/** The enumerator's checkpointed state: splits not yet handed to a reader, in order. */
public record PendingSplits(List<GenomicsSplit> splits) {
    /** Copies the list. */
    public PendingSplits {
        splits = List.copyOf(splits);
    }
}
