package io.scanflow.model.psm;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link PrefixScannableModel} that forwards to another and counts the calls of each function
 * (thread-safe, so it also counts a parallel evaluation). For cost tests and the cost table.
 *
 * @param <T> chunk element type
 * @param <S> state type
 * @param <Y> output type
 */
public final class CountingPsm<T, S, Y> implements PrefixScannableModel<T, S, Y> {

    private final PrefixScannableModel<T, S, Y> inner;
    private final AtomicLong encodes = new AtomicLong();
    private final AtomicLong aggregates = new AtomicLong();
    private final AtomicLong infers = new AtomicLong();

    /** Counts the calls made to {@code inner}. */
    public CountingPsm(PrefixScannableModel<T, S, Y> inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    @Override
    public int chunkSize() {
        return inner.chunkSize();
    }

    @Override
    public S identity() {
        return inner.identity();
    }

    @Override
    public S encode(List<T> chunk) {
        encodes.incrementAndGet();
        return inner.encode(chunk);
    }

    @Override
    public S aggregate(S left, S right) {
        aggregates.incrementAndGet();
        return inner.aggregate(left, right);
    }

    @Override
    public Y infer(S prefix, List<T> chunk) {
        infers.incrementAndGet();
        return inner.infer(prefix, chunk);
    }

    @Override
    public boolean acceptsPartialChunk() {
        return inner.acceptsPartialChunk();
    }

    /** Enc calls so far. */
    public long encodeCalls() {
        return encodes.get();
    }

    /** Agg calls so far. */
    public long aggregateCalls() {
        return aggregates.get();
    }

    /** Inf calls so far. */
    public long inferCalls() {
        return infers.get();
    }

    /** Sets the counts to zero. */
    public void reset() {
        encodes.set(0);
        aggregates.set(0);
        infers.set(0);
    }
}
