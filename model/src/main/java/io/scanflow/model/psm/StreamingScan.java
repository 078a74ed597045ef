package io.scanflow.model.psm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Streaming (sequential) evaluation of a {@link PrefixScannableModel}: one instance per key,
 * elements pushed one at a time, {@code O(log n)} states held, amortised {@code O(1)} {@code Agg}
 * calls per chunk. Gives bit-identical prefix states and outputs to {@link ParallelScan}.
 *
 * <p>The state ({@link ScanState}) is a binary counter over complete-subtree roots. When chunk
 * number {@code n} (from 1) completes:
 * <ol>
 *   <li>{@code y = Inf(s, chunk)} with {@code s} the current prefix (last cached fold, or e);</li>
 *   <li>{@code x = Enc(chunk)} becomes a leaf;</li>
 *   <li>binary increment: {@code trailingZeros(n)} times, {@code x = Agg(olderRoot, x)} with the
 *       newest root (equal sizes), dropping that root and its cached fold;</li>
 *   <li>{@code x} is pushed as the newest root and its fold
 *       {@code Agg(previous fold or e, x)} is cached: the prefix for the next chunk.</li>
 * </ol>
 * That is {@code trailingZeros(n) + 1} {@code Agg} calls for chunk {@code n} and
 * {@code 2n - popcount(n)} in total ({@link ScanTree#aggregateCalls}): under 2 per chunk.
 *
 * <p>Partial final chunk: {@link #flush()} returns {@code Inf(s, pending)} for the elements of
 * the unfinished chunk when the model {@link PrefixScannableModel#acceptsPartialChunk accepts
 * partial chunks}, and leaves the state as it was: a partial chunk is never encoded, so chunk
 * boundaries, prefix states and later outputs are the same whether or not {@code flush} was
 * called. If more elements follow, the chunk's outputs are produced again in full when it
 * completes (the caller keeps only the ones it has not emitted yet).
 *
 * <p>If a model call throws, {@link #push} rethrows and leaves the state as it was before the
 * element, so the caller may drop the element or retry.
 *
 * <p>Not thread-safe: one key, one thread, as in a keyed operator.
 *
 * @param <T> chunk element type
 * @param <S> state type
 * @param <Y> output type
 */
public final class StreamingScan<T, S, Y> {

    private final PrefixScannableModel<T, S, Y> model;
    private final ScanState<T, S> state;
    private final S identity;
    private int peakStatesHeld;

    /** A fresh stream. */
    public StreamingScan(PrefixScannableModel<T, S, Y> model) {
        this(model, ScanState.empty(model.chunkSize()));
    }

    /**
     * A stream that continues from {@code state} (restored from bytes, or built by
     * {@link ParallelScan.Result#toStreamState()}); the state is used, not copied.
     */
    public StreamingScan(PrefixScannableModel<T, S, Y> model, ScanState<T, S> state) {
        this.model = Objects.requireNonNull(model, "model");
        this.state = Objects.requireNonNull(state, "state");
        if (state.chunkSize() != model.chunkSize()) {
            throw new IllegalArgumentException("stream state has chunk size " + state.chunkSize()
                    + " but the model's is " + model.chunkSize());
        }
        this.identity = model.identity();
        this.peakStatesHeld = state.statesHeld();
    }

    /**
     * Adds one element.
     *
     * @return the chunk's result if this element completed a chunk, else empty
     */
    public Optional<ChunkResult<S, Y>> push(T element) {
        ArrayList<T> pending = state.mutablePending();
        pending.add(element);
        if (pending.size() < state.chunkSize()) {
            return Optional.empty();
        }
        ArrayList<S> roots = state.mutableRoots();
        ArrayList<S> folds = state.mutableFolds();
        long index = state.chunks();
        int merges = Long.numberOfTrailingZeros(index + 1);
        int kept = roots.size() - merges;
        S prefix = prefix();
        Y output;
        S x;
        S fold;
        try {
            // Compute everything first, so a failing model call leaves the state as it was.
            output = model.infer(prefix, pending);
            x = model.encode(pending);
            for (int i = roots.size() - 1; i >= kept; i--) {
                x = model.aggregate(roots.get(i), x);
            }
            fold = model.aggregate(kept == 0 ? identity : folds.get(kept - 1), x);
            // Held now: the old roots and folds, the new root x and its fold.
            peakStatesHeld = Math.max(peakStatesHeld, roots.size() + folds.size() + 2);
        } catch (RuntimeException | Error e) {
            pending.remove(pending.size() - 1);
            throw e;
        }
        roots.subList(kept, roots.size()).clear();
        folds.subList(kept, folds.size()).clear();
        roots.add(x);
        folds.add(fold);
        state.chunkDone();
        pending.clear();
        peakStatesHeld = Math.max(peakStatesHeld, roots.size() + folds.size());
        return Optional.of(new ChunkResult<>(index, prefix, output));
    }

    /** Pushes every element in order; returns the results of the chunks they completed. */
    public List<ChunkResult<S, Y>> pushAll(List<T> elements) {
        List<ChunkResult<S, Y>> results = new ArrayList<>();
        for (T element : elements) {
            push(element).ifPresent(results::add);
        }
        return results;
    }

    /**
     * Outputs for the unfinished chunk, {@code Inf(prefix(), pending)}; the state is unchanged
     * (see the class comment).
     *
     * @return empty when no element is pending
     * @throws IllegalStateException when elements are pending and the model does not accept
     *                               partial chunks
     */
    public Optional<Y> flush() {
        List<T> pending = state.pending();
        if (pending.isEmpty()) {
            return Optional.empty();
        }
        if (!model.acceptsPartialChunk()) {
            throw new IllegalStateException("the model does not accept a partial chunk: "
                    + pending.size() + " of " + state.chunkSize() + " elements pending after chunk "
                    + state.chunks());
        }
        return Optional.of(model.infer(prefix(), List.copyOf(pending)));
    }

    /** The prefix state for the next chunk: the left fold over all roots ({@code e} at first). */
    public S prefix() {
        List<S> folds = state.folds();
        return folds.isEmpty() ? identity : folds.get(folds.size() - 1);
    }

    /** The live state (what to checkpoint); it changes as elements are pushed. */
    public ScanState<T, S> state() {
        return state;
    }

    /** Full chunks seen so far. */
    public long chunks() {
        return state.chunks();
    }

    /**
     * Most states this instance has held at once, transient ones included (the new root and its
     * fold before the merged roots are let go). Bounded by {@link ScanTree#maxStatesHeld}.
     */
    public int peakStatesHeld() {
        return peakStatesHeld;
    }
}
