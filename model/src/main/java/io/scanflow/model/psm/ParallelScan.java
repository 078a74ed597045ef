package io.scanflow.model.psm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Parallel evaluation of a {@link PrefixScannableModel} over a whole sequence: a Blelloch
 * up-sweep / down-sweep in one fixed bracket order, each tree level spread over a thread pool.
 * Gives bit-identical prefix states and outputs to {@link StreamingScan}, for any chunk count.
 *
 * <p>Bracket order, for {@code n} full chunks {@code C_0..C_{n-1}}:
 * <ol>
 *   <li>Leaves: {@code x_i = Enc(C_i)}.</li>
 *   <li>Up-sweep, only over complete subtrees (node {@code (l, j)} covers chunks
 *       {@code [j 2^l, (j+1) 2^l)}, all of them below {@code n}):
 *       {@code up(l, j) = Agg(up(l-1, 2j), up(l-1, 2j+1))}.</li>
 *   <li>Down-sweep over positions {@code 0..n} in the complete tree of height
 *       {@code K = floor(log2 n) + 1} (so {@code 2^K > n}): the root gets {@code e}; a left child
 *       gets its parent's value {@code v}; a right child gets {@code Agg(v, up(left sibling))}.
 *       Nodes that start after {@code n} are never visited, and a visited right child's left
 *       sibling always lies inside {@code [0, n)}, so only complete subtrees are read.</li>
 *   <li>Leaf {@code i} of the down-sweep is the prefix state {@code s_i} (over chunks
 *       {@code 0..i-1}); {@code s_0 = e} and {@code s_n} is the state after the last chunk.
 *       Outputs: {@code y_i = Inf(s_i, C_i)}.</li>
 * </ol>
 * On the path from the root to leaf {@code i} the down-sweep turns right exactly at the set bits
 * of {@code i}, and the left siblings it folds in are the complete subtrees of sizes given by
 * those bits, largest first. So {@code s_i = Agg(...Agg(Agg(e, R1), R2)..., Rk)} over the roots
 * a binary counter holds after {@code i} chunks, each root built by the same {@code Agg(left,
 * right)} brackets as a counter's carries: the very calls {@link StreamingScan} makes. For
 * {@code n} not a power of two, the tree is therefore the binary decomposition of {@code n}
 * (complete subtrees joined by a right-leaning spine), not a balanced tree over {@code n} leaves.
 *
 * <p>Cost: {@code n - popcount(n)} {@code Agg} calls up and {@code n} down (one per position
 * {@code p} in {@code 1..n}: the right child that starts at {@code p}), {@code 2n - popcount(n)}
 * in all, the same as streaming; {@code 2K} levels, each one parallel step.
 *
 * <p>Determinism: every node is a pure function of nodes on the finished level below, written
 * by exactly one task; the thread pool only changes when, never what.
 *
 * @param <T> chunk element type
 * @param <S> state type
 * @param <Y> output type
 */
public final class ParallelScan<T, S, Y> {

    private final PrefixScannableModel<T, S, Y> model;
    private final LevelRunner runner;

    /**
     * @param executor    where level blocks run (a {@link ForkJoinPool}, an
     *                    {@link java.util.concurrent.ExecutorService}); the calling thread
     *                    takes a block too
     * @param parallelism how many threads the executor runs at once (1: all inline)
     */
    public ParallelScan(PrefixScannableModel<T, S, Y> model, Executor executor, int parallelism) {
        this.model = Objects.requireNonNull(model, "model");
        this.runner = new LevelRunner(Objects.requireNonNull(executor, "executor"), parallelism, 1);
    }

    /** Levels on {@code pool}, as many blocks as its parallelism allows. */
    public static <T, S, Y> ParallelScan<T, S, Y> onPool(PrefixScannableModel<T, S, Y> model,
                                                         ForkJoinPool pool) {
        return new ParallelScan<>(model, pool, pool.getParallelism());
    }

    /** Everything on the calling thread: the same results, for tests and tiny inputs. */
    public static <T, S, Y> ParallelScan<T, S, Y> sequential(PrefixScannableModel<T, S, Y> model) {
        return new ParallelScan<>(model, Runnable::run, 1);
    }

    /**
     * Evaluates a whole sequence: {@code n = floor(size / c)} full chunks, then a tail of
     * {@code size mod c} elements that gets outputs only if the model accepts partial chunks
     * (as {@link StreamingScan#flush()} would give) and is otherwise just carried over to
     * {@link Result#toStreamState()}.
     *
     * @param sequence the elements in stream order (not modified, not kept)
     */
    public Result<T, S, Y> evaluate(List<T> sequence) {
        int c = model.chunkSize();
        int n = sequence.size() / c;
        List<List<T>> chunks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chunks.add(sequence.subList(i * c, (i + 1) * c));
        }
        List<T> tail = List.copyOf(sequence.subList(n * c, sequence.size()));
        S identity = model.identity();
        if (n == 0) {
            Y tailOutput = tailOutput(identity, tail);
            return new Result<>(c, List.of(identity), List.of(), new Object[0][], tail, tailOutput);
        }

        // Up-sweep: up[0] are the leaves, up[l] the floor(n / 2^l) complete nodes of level l.
        int height = ScanTree.height(n);
        Object[][] up = new Object[height][];
        up[0] = new Object[n];
        Object[] leaves = up[0];
        runner.run(n, i -> leaves[i] = model.encode(chunks.get(i)));
        for (int l = 1; l < height; l++) {
            Object[] below = up[l - 1];
            Object[] level = new Object[n >> l];
            runner.run(level.length, j -> level[j] = model.aggregate(state(below[2 * j]), state(below[2 * j + 1])));
            up[l] = level;
        }

        // Down-sweep over positions 0..n: level l holds nodes j = 0..floor(n / 2^l).
        Object[] parent = {identity};
        for (int l = height - 1; l >= 0; l--) {
            Object[] above = parent;
            Object[] upLevel = up[l];
            Object[] level = new Object[(n >> l) + 1];
            runner.run(level.length, j -> level[j] = (j & 1) == 0
                    ? above[j >> 1]
                    : model.aggregate(state(above[j >> 1]), state(upLevel[j - 1])));
            parent = level;
        }
        Object[] prefixes = parent;

        Object[] outputs = new Object[n];
        runner.run(n, i -> outputs[i] = model.infer(state(prefixes[i]), chunks.get(i)));
        Y tailOutput = tailOutput(state(prefixes[n]), tail);
        return new Result<>(c, listOf(prefixes), listOf(outputs), up, tail, tailOutput);
    }

    private Y tailOutput(S prefix, List<T> tail) {
        return !tail.isEmpty() && model.acceptsPartialChunk() ? model.infer(prefix, tail) : null;
    }

    @SuppressWarnings("unchecked")
    private static <V> V state(Object o) {
        return (V) o;
    }

    @SuppressWarnings("unchecked")
    private static <V> List<V> listOf(Object[] values) {
        return Collections.unmodifiableList((List<V>) Arrays.asList(values));
    }

    /**
     * The result of {@link #evaluate}.
     *
     * @param <T> chunk element type
     * @param <S> state type
     * @param <Y> output type
     */
    public static final class Result<T, S, Y> {
        private final int chunkSize;
        private final List<S> prefixes;
        private final List<Y> outputs;
        private final Object[][] up;
        private final List<T> tail;
        private final Y tailOutput;

        private Result(int chunkSize, List<S> prefixes, List<Y> outputs, Object[][] up, List<T> tail,
                       Y tailOutput) {
            this.chunkSize = chunkSize;
            this.prefixes = prefixes;
            this.outputs = outputs;
            this.up = up;
            this.tail = tail;
            this.tailOutput = tailOutput;
        }

        /** {@code n}: full chunks evaluated. */
        public int chunks() {
            return outputs.size();
        }

        /** {@code s_0..s_n}: {@code s_i} is the state over chunks {@code 0..i-1}, {@code s_0 = e}. */
        public List<S> prefixes() {
            return prefixes;
        }

        /** {@code y_0..y_{n-1}}, {@code y_i = Inf(s_i, C_i)}. */
        public List<Y> outputs() {
            return outputs;
        }

        /** The state after the last full chunk, {@code s_n}. */
        public S finalState() {
            return prefixes.get(prefixes.size() - 1);
        }

        /** Elements after the last full chunk (fewer than {@code c}). */
        public List<T> tail() {
            return tail;
        }

        /** {@code Inf(s_n, tail)}; null when the tail is empty or the model rejects partial chunks. */
        public Y tailOutput() {
            return tailOutput;
        }

        /**
         * The streaming state after this sequence, so a stream can go on where a parallel prefill
         * stopped: the roots are the up-sweep nodes of the binary decomposition of {@code n}, each
         * cached fold the down-sweep value at the position where its root ends, the tail pending.
         * Continuing from it gives bit for bit what streaming the whole sequence would.
         */
        public ScanState<T, S> toStreamState() {
            int n = chunks();
            List<S> roots = new ArrayList<>();
            List<S> folds = new ArrayList<>();
            int start = 0;
            for (int level : ScanTree.rootLevels(n)) {
                roots.add(state(up[level][start >> level]));
                start += 1 << level;
                folds.add(prefixes.get(start));
            }
            return ScanState.of(chunkSize, n, roots, folds, tail);
        }
    }
}
