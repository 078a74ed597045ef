package io.scanflow.model.psm;

import java.util.List;

/**
 * A prefix-scannable model (PSM): a sequence model whose state over a prefix is built from
 * per-chunk summaries with one binary aggregation, so it can be evaluated either as a parallel
 * prefix scan (whole sequence known) or as a stream (one element at a time, O(log n) memory).
 *
 * <p>The three functions, for chunk size {@code c} and identity state {@code e}:
 * <ul>
 *   <li>{@link #encode} {@code Enc(chunk) -> x}: summarises one full chunk of {@code c}
 *       elements as a state.</li>
 *   <li>{@link #aggregate} {@code Agg(left, right) -> s}: combines the state of an earlier span
 *       with the state of the span that follows it. It is <em>not</em> assumed associative (nor
 *       is {@code e} assumed neutral): both evaluators call it in one fixed bracket order, so
 *       that they agree bit for bit whatever it is. See {@link ParallelScan} for the order.</li>
 *   <li>{@link #infer} {@code Inf(prefix, chunk) -> y}: the outputs for one chunk given the state
 *       over everything before it.</li>
 * </ul>
 *
 * <p>Contract that both evaluators rely on:
 * <ul>
 *   <li>The functions are deterministic: same arguments (bit for bit) give the same result
 *       (bit for bit). Use {@code StrictMath} where a {@code Math} function could differ.</li>
 *   <li>They may be called concurrently from several threads (the parallel evaluator runs one
 *       tree level on a pool), so they must not share mutable scratch space.</li>
 *   <li>States are treated as immutable values: a result may be stored and passed to later
 *       calls many times; a function must neither modify its arguments nor keep the chunk list
 *       (it may be a view into a larger list).</li>
 * </ul>
 *
 * @param <T> chunk element type (a token id, a feature vector, an (a, b) pair ...)
 * @param <S> state type (what {@code Enc} and {@code Agg} return)
 * @param <Y> output type of {@code Inf} for one chunk (usually one output per element)
 */
public interface PrefixScannableModel<T, S, Y> {

    /** The chunk size {@code c} (at least 1). */
    int chunkSize();

    /** The identity state {@code e}: the prefix state before the first chunk. */
    S identity();

    /**
     * {@code Enc(chunk)}.
     *
     * @param chunk exactly {@link #chunkSize()} elements, in stream order
     * @return the chunk's state {@code x}
     */
    S encode(List<T> chunk);

    /**
     * {@code Agg(left, right)}: the state of span {@code left} followed by span {@code right}.
     *
     * @param left  state of the earlier span
     * @param right state of the span that immediately follows it
     */
    S aggregate(S left, S right);

    /**
     * {@code Inf(prefix, chunk)}.
     *
     * @param prefix the state over all chunks before this one ({@code e} for the first chunk)
     * @param chunk  {@link #chunkSize()} elements; fewer only for a final partial chunk and only
     *               when {@link #acceptsPartialChunk()} is true
     * @return the outputs for this chunk
     */
    Y infer(S prefix, List<T> chunk);

    /**
     * Whether {@link #infer} is defined on a final chunk shorter than {@code c} (true for models
     * whose {@code Inf} is causal inside the chunk). A partial chunk is never encoded: it gets
     * outputs but adds nothing to the state, so chunk boundaries stay where they are.
     */
    default boolean acceptsPartialChunk() {
        return false;
    }
}
