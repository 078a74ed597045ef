package io.scanflow.genomics.source;

/** A split's mutable progress inside the reader; turned back into an immutable split at checkpoints. */
final class GenomicsSplitState {
    final GenomicsSplit split;
    long position;
    long ordinal;

    GenomicsSplitState(GenomicsSplit split) {
        this.split = split;
        this.position = split.position();
        this.ordinal = split.ordinal();
    }

    GenomicsSplit toSplit() {
        return split.at(position, ordinal);
    }
}
