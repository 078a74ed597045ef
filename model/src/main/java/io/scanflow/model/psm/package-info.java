/**
 * Prefix-scannable models (PSMs): the algebra, a parallel and a streaming evaluator that agree
 * bit for bit, their state serializer, and the affine PSM (diagonal linear recurrences, which
 * is how Mamba's selective scan fits the frame).
 *
 * <p>After "Sequential-Parallel Duality in Prefix Scannable Models" (Yau, Gupta, Engelmayer,
 * Irie, Jegelka, Andreas, 2025, arXiv 2506.10918). The design note is {@code docs/psm.md}.
 *
 * <h2>Glossary</h2>
 * <dl>
 *   <dt>c</dt><dd>chunk size: elements per chunk, {@link io.scanflow.model.psm.PrefixScannableModel#chunkSize()}.</dd>
 *   <dt>n</dt><dd>number of full chunks seen (streaming) or evaluated (parallel).</dd>
 *   <dt>e</dt><dd>identity state: the prefix state before the first chunk. Not assumed neutral
 *       for Agg.</dd>
 *   <dt>Enc</dt><dd>{@code Enc(chunk) -> x}: a full chunk's own state (a leaf of the scan tree).</dd>
 *   <dt>Agg</dt><dd>{@code Agg(left, right) -> s}: the state of two adjacent spans; not assumed
 *       associative, so the bracket order is fixed and shared by both evaluators.</dd>
 *   <dt>Inf</dt><dd>{@code Inf(prefix, chunk) -> y}: a chunk's outputs from the state over all
 *       chunks before it.</dd>
 *   <dt>s_i</dt><dd>prefix state of chunk i (over chunks 0..i-1); {@code s_0 = e}, {@code s_n} the
 *       state after the last chunk.</dd>
 *   <dt>roots</dt><dd>the complete-subtree roots a binary counter holds after n chunks, one per
 *       set bit of n, oldest (largest, covering 2^level chunks) first; newer equal-size roots
 *       merge as {@code Agg(older, newer)}.</dd>
 *   <dt>folds</dt><dd>cached left folds over the roots, {@code Agg(...Agg(Agg(e, R1), R2)..., Rm)};
 *       the last is the prefix state for the next chunk.</dd>
 *   <dt>level</dt><dd>height of a tree node: a node at level l covers 2^l chunks.</dd>
 *   <dt>(a, b)</dt><dd>an affine element {@code h -> a * h + b}, per channel; for Mamba
 *       {@code a = dA = exp(delta * A)}, {@code b = dBu = delta * B * x}, width
 *       {@code d_inner * N}.</dd>
 * </dl>
 *
 * <h2>Classes</h2>
 * <ul>
 *   <li>{@link io.scanflow.model.psm.PrefixScannableModel}, {@link io.scanflow.model.psm.ScanValueCodec}: the abstraction.</li>
 *   <li>{@link io.scanflow.model.psm.ParallelScan}: Blelloch up/down sweep, levels on a pool.</li>
 *   <li>{@link io.scanflow.model.psm.StreamingScan}, {@link io.scanflow.model.psm.ScanState},
 *       {@link io.scanflow.model.psm.ScanStateSerializer}: per-key streaming and its versioned bytes.</li>
 *   <li>{@link io.scanflow.model.psm.ScanTree}: the tree shape and exact costs.</li>
 *   <li>{@link io.scanflow.model.psm.AffinePair}, {@link io.scanflow.model.psm.AffinePsm},
 *       {@link io.scanflow.model.psm.AffineScan}: the affine instance and its flat-array scan.</li>
 *   <li>{@code io.scanflow.model.psm.transformer}: the Transformer-PSM (transformer Enc, Agg and
 *       Inf), also as a {@link io.scanflow.model.SequenceModel} for the engines.</li>
 * </ul>
 */
package io.scanflow.model.psm;
