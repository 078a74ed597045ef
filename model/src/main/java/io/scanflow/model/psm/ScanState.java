package io.scanflow.model.psm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Everything a streaming PSM evaluation needs to go on after {@code n} full chunks and a partial
 * one: what a keyed operator keeps per key and checkpoints (see {@link ScanStateSerializer}).
 *
 * <ul>
 *   <li>{@code roots}: the complete-subtree roots of the binary counter, oldest (largest) first;
 *       root {@code m} covers {@code 2^rootLevels()[m]} chunks. There are {@code popcount(n)}.</li>
 *   <li>{@code folds}: the cached left folds, {@code folds[m] = Agg(folds[m-1], roots[m])} with
 *       {@code folds[-1] = e}; the last one is the prefix state for the next chunk.</li>
 *   <li>{@code pending}: the elements of the chunk in progress (fewer than {@code c}).</li>
 * </ul>
 * So it holds {@code 2 * popcount(n) <= 2 * (floor(log2 n) + 1)} states plus under {@code c}
 * elements. {@link StreamingScan} mutates it; the lists handed out here are read-only views.
 *
 * @param <T> chunk element type
 * @param <S> state type
 */
public final class ScanState<T, S> {

    private final int chunkSize;
    private long chunks;
    private final ArrayList<S> roots;
    private final ArrayList<S> folds;
    private final ArrayList<T> pending;

    private ScanState(int chunkSize, long chunks, List<S> roots, List<S> folds, List<T> pending) {
        this.chunkSize = chunkSize;
        this.chunks = chunks;
        this.roots = new ArrayList<>(roots);
        this.folds = new ArrayList<>(folds);
        this.pending = new ArrayList<>(pending);
    }

    /** The state before any element. */
    public static <T, S> ScanState<T, S> empty(int chunkSize) {
        return of(chunkSize, 0, List.of(), List.of(), List.of());
    }

    /**
     * A state from its parts (copied into new lists; the values themselves are shared), checked
     * for consistency: {@code popcount(chunks)} roots and folds, fewer than {@code chunkSize}
     * pending elements.
     */
    public static <T, S> ScanState<T, S> of(int chunkSize, long chunks, List<S> roots, List<S> folds,
                                           List<T> pending) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkSize);
        }
        if (chunks < 0) {
            throw new IllegalArgumentException("chunk count must be >= 0, got " + chunks);
        }
        int k = Long.bitCount(chunks);
        if (roots.size() != k || folds.size() != k) {
            throw new IllegalArgumentException("after " + chunks + " chunks a stream state has " + k
                    + " roots and " + k + " folds, got " + roots.size() + " and " + folds.size());
        }
        if (pending.size() >= chunkSize) {
            throw new IllegalArgumentException("a stream state holds fewer than " + chunkSize
                    + " pending elements, got " + pending.size());
        }
        return new ScanState<>(chunkSize, chunks, roots, folds, pending);
    }

    /** Tokens per chunk. */
    public int chunkSize() {
        return chunkSize;
    }

    /** {@code n}: full chunks seen so far. */
    public long chunks() {
        return chunks;
    }

    /** Elements seen so far: {@code n * c + pending}. */
    public long position() {
        return chunks * chunkSize + pending.size();
    }

    /** Roots, oldest (largest) first. */
    public List<S> roots() {
        return Collections.unmodifiableList(roots);
    }

    /** Level of each root (it covers {@code 2^level} chunks), oldest first: the set bits of n. */
    public int[] rootLevels() {
        return ScanTree.rootLevels(chunks);
    }

    /** Cached left folds, one per root. */
    public List<S> folds() {
        return Collections.unmodifiableList(folds);
    }

    /** Elements of the chunk in progress. */
    public List<T> pending() {
        return Collections.unmodifiableList(pending);
    }

    /** States held: roots plus folds (the identity belongs to the model and is not counted). */
    public int statesHeld() {
        return roots.size() + folds.size();
    }

    // Mutators for StreamingScan (same package).

    ArrayList<S> mutableRoots() {
        return roots;
    }

    ArrayList<S> mutableFolds() {
        return folds;
    }

    ArrayList<T> mutablePending() {
        return pending;
    }

    void chunkDone() {
        chunks++;
    }

    @Override
    public String toString() {
        return "ScanState{c=" + chunkSize + ", chunks=" + chunks + ", roots=" + roots.size()
                + ", pending=" + pending.size() + "}";
    }
}
