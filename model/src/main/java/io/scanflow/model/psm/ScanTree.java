package io.scanflow.model.psm;

/**
 * The shape of the scan tree over {@code n} chunks, shared by {@link ParallelScan} and
 * {@link StreamingScan}, and the exact costs that follow from it.
 *
 * <p>The tree over {@code n} chunks is the binary decomposition of {@code n}: complete subtrees
 * of sizes {@code 2^l} for each set bit {@code l} of {@code n}, largest (oldest) first. Inside a
 * complete subtree every node is {@code Agg(left, right)}; the subtrees are joined by the left
 * fold {@code Agg(...Agg(Agg(e, R1), R2)..., Rk)}. This is the tree a binary counter builds, so the
 * streaming evaluator holds exactly these roots after {@code n} chunks.
 *
 * <p>Levels: a node at level {@code l} and index {@code j} covers chunks
 * {@code [j * 2^l, (j + 1) * 2^l)}. The parallel evaluator runs its down-sweep over positions
 * {@code 0..n} (one more than the chunk count, to get the state after the last chunk too) in the
 * complete tree of height {@link #height}.
 */
public final class ScanTree {

    private ScanTree() {
    }

    /** {@code floor(log2 n)} for {@code n >= 1}. */
    public static int floorLog2(long n) {
        requirePositive(n);
        return 63 - Long.numberOfLeadingZeros(n);
    }

    /**
     * Height {@code K} of the down-sweep tree over positions {@code 0..n}: the smallest {@code K}
     * with {@code 2^K >= n + 1}, which is {@code floor(log2 n) + 1} for {@code n >= 1}.
     */
    public static int height(long n) {
        return floorLog2(n) + 1;
    }

    /** Number of complete-subtree roots after {@code n} chunks: {@code popcount(n)}. */
    public static int rootCount(long n) {
        requireNonNegative(n);
        return Long.bitCount(n);
    }

    /** Levels of the roots after {@code n} chunks, largest (oldest) first: the set bits of n. */
    public static int[] rootLevels(long n) {
        requireNonNegative(n);
        int[] levels = new int[Long.bitCount(n)];
        int i = 0;
        for (int l = 63; l >= 0; l--) {
            if ((n & (1L << l)) != 0) {
                levels[i++] = l;
            }
        }
        return levels;
    }

    /**
     * {@code Agg} calls to evaluate {@code n} chunks, by either evaluator:
     * {@code (n - popcount(n))} inside complete subtrees plus {@code n} for the prefix folds,
     * so {@code 2n - popcount(n) < 2n}.
     */
    public static long aggregateCalls(long n) {
        requireNonNegative(n);
        return 2 * n - Long.bitCount(n);
    }

    /**
     * {@code Agg} calls the streaming evaluator makes when chunk number {@code n} (counting from
     * 1) completes: {@code trailingZeros(n)} merges plus one fold.
     */
    public static int aggregateCallsAtChunk(long n) {
        requirePositive(n);
        return Long.numberOfTrailingZeros(n) + 1;
    }

    /**
     * The bound on states the streaming evaluator holds up to and including the completion of
     * chunk number {@code n}, transient ones included: {@code 2 * (floor(log2 n) + 1)} (0 for
     * n = 0). At rest after {@code n} chunks it holds {@code 2 * popcount(n)} (one root and one
     * cached fold per set bit of n); while chunk {@code n} completes it briefly holds
     * {@code 2 * popcount(n - 1) + 2} (the old roots and folds, kept until the update commits,
     * plus the new root and its fold). Both are at most
     * {@code 2 * (floor(log2 n) + 1)}: popcount(n) is at most the bit length of n, and
     * popcount(n - 1) is at most floor(log2 n) (with L = floor(log2 n) + 1, n - 1 is at most
     * 2^L - 2, so not all of its L low bits are set).
     */
    public static int maxStatesHeld(long n) {
        requireNonNegative(n);
        return n == 0 ? 0 : 2 * (floorLog2(n) + 1);
    }

    private static void requirePositive(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("chunk count must be >= 1, got " + n);
        }
    }

    private static void requireNonNegative(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("chunk count must be >= 0, got " + n);
        }
    }
}
