package io.scanflow.model.psm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Prints the cost table of {@code docs/psm.md}: for each chunk count {@code n}, the {@code Agg}
 * calls both evaluators make (counted, next to the formula {@code 2n - popcount(n)}) and the most
 * states the streaming evaluator holds (measured, next to {@code log2 n + 1}). The model is a cheap
 * non-associative mix over {@code long} states with chunk size 1; costs depend only on {@code n}.
 *
 * <p>Usage: {@code PsmCostTable [n ...]} (default: the doc's list).
 */
public final class PsmCostTable {

    /** The chunk counts in the doc. */
    public static final int[] DOC_COUNTS = {1, 2, 3, 7, 8, 100, 1000, 1024, 4096, 65536};

    private PsmCostTable() {
    }

    /**
     * One row.
     *
     * @param n                 chunks
     * @param streamingAgg      {@code Agg} calls counted while streaming n chunks
     * @param parallelAgg       {@code Agg} calls counted in one parallel evaluation of n chunks
     * @param maxAggOneChunk    most {@code Agg} calls streaming made for a single chunk
     * @param peakStatesHeld    most states streaming held at once, transient ones included
     * @param statesAtRest      states held after the n-th chunk
     */
    public record Row(int n, long streamingAgg, long parallelAgg, long maxAggOneChunk, int peakStatesHeld,
                      int statesAtRest) {

        /** Agg calls the amortized formula predicts. */
        public long formulaAgg() {
            return ScanTree.aggregateCalls(n);
        }

        /** Agg calls per chunk measured. */
        public double aggPerChunk() {
            return (double) streamingAgg / n;
        }

        /** floor(log2 n) + 1: the bound on stored states. */
        public int log2PlusOne() {
            return ScanTree.floorLog2(n) + 1;
        }

        /** Most states held at once, measured. */
        public int stateBound() {
            return ScanTree.maxStatesHeld(n);
        }
    }

    /** Measures one row (streams n chunks, then evaluates them in parallel on this thread). */
    public static Row measure(int n) {
        CountingPsm<Integer, Long, Long> streamModel = new CountingPsm<>(new MixPsm());
        StreamingScan<Integer, Long, Long> stream = new StreamingScan<>(streamModel);
        long maxOne = 0;
        for (int i = 0; i < n; i++) {
            long before = streamModel.aggregateCalls();
            stream.push(i);
            maxOne = Math.max(maxOne, streamModel.aggregateCalls() - before);
        }
        CountingPsm<Integer, Long, Long> parallelModel = new CountingPsm<>(new MixPsm());
        List<Integer> sequence = IntStream.range(0, n).boxed().toList();
        ParallelScan.Result<Integer, Long, Long> result = ParallelScan.sequential(parallelModel).evaluate(sequence);
        if (!result.finalState().equals(stream.prefix())) {
            throw new AssertionError("streaming and parallel final states differ at n = " + n);
        }
        return new Row(n, streamModel.aggregateCalls(), parallelModel.aggregateCalls(), maxOne,
                stream.peakStatesHeld(), stream.state().statesHeld());
    }

    /** The table as Markdown. */
    public static String markdown(int... counts) {
        StringBuilder sb = new StringBuilder();
        sb.append("| n | Agg calls, streaming | Agg calls, parallel | 2n - popcount(n) | Agg per chunk"
                + " | most Agg for one chunk | max states held | states at rest, 2 popcount(n)"
                + " | floor(log2 n) + 1 | bound 2 (floor(log2 n) + 1) |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        List<Row> rows = new ArrayList<>();
        for (int n : counts) {
            rows.add(measure(n));
        }
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %.5f | %d | %d | %d | %d | %d |\n",
                    r.n(), r.streamingAgg(), r.parallelAgg(), r.formulaAgg(), r.aggPerChunk(), r.maxAggOneChunk(),
                    r.peakStatesHeld(), r.statesAtRest(), r.log2PlusOne(), r.stateBound()));
        }
        return sb.toString();
    }

    /** Prints the table. */
    public static void main(String[] args) {
        int[] counts = args.length == 0 ? DOC_COUNTS
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        System.out.print(markdown(counts));
    }

    /**
     * Chunk size 1; a state is a 64-bit mix; {@code Agg} mixes its arguments asymmetrically, so it
     * is neither associative nor commutative, and {@code e} is not neutral.
     */
    private static final class MixPsm implements PrefixScannableModel<Integer, Long, Long> {
        @Override
        public int chunkSize() {
            return 1;
        }

        @Override
        public Long identity() {
            return 0x9E3779B97F4A7C15L;
        }

        @Override
        public Long encode(List<Integer> chunk) {
            return mix(chunk.get(0) + 1L);
        }

        @Override
        public Long aggregate(Long left, Long right) {
            return mix(left * 31 + Long.rotateLeft(right, 17));
        }

        @Override
        public Long infer(Long prefix, List<Integer> chunk) {
            return prefix ^ chunk.get(0);
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}
