package io.scanflow.genomics.source;

import java.util.List;

/** The enumerator's checkpointed state: splits not yet handed to a reader, in order. */
public record GenomicsEnumeratorState(List<GenomicsSplit> splits) {
    /** Copies the list. */
    public GenomicsEnumeratorState {
        splits = List.copyOf(splits);
    }
}
