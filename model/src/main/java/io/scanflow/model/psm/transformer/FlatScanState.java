package io.scanflow.model.psm.transformer;

import io.scanflow.model.config.TransformerPsmConfig;
import io.scanflow.model.psm.ScanState;
import io.scanflow.model.psm.ScanTree;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Transformer-PSM stream state ({@link ScanState}: binary-counter roots, cached folds, pending
 * tokens) in a fixed-size {@code float[]}, so it fits a {@code RecurrentState} slot of the engine.
 * With {@code c} chunk size, {@code d} width, {@code S = c d} floats per PSM state and
 * {@code K = max_chunks_log2}:
 * <pre>{@code
 *   [0]                      n      full chunks so far, 0 <= n < 2^K (exact: K <= 24)
 *   [1]                      p      pending tokens, 0 <= p < c
 *   [2, 2 + c)                      pending token ids (p used, the rest 0)
 *   [H + l S, H + (l+1) S)          root of level l (covers 2^l chunks), l = 0..K-1,
 *                                   present when bit l of n is set, else zeros
 *   [H + (K+l) S, ...)              its cached fold Agg(fold of the next larger root or e, root)
 * }</pre>
 * with {@code H = 2 + c}; {@code 2 + c + 2 K S} floats in all
 * ({@link TransformerPsmConfig#stateFloats()}). Roots and folds are indexed by level, not by age: the
 * set bits of {@code n} say which slots are live, oldest (largest) first. Unused slots are zero, so
 * one stream state has exactly one encoding, whichever way its tokens arrived. The all-zero array is
 * the empty stream.
 */
public final class FlatScanState {

    private final int chunkSize;
    private final int vocab;
    private final int width;
    private final int levels;
    private final int header;

    /** An empty stream state for {@code cfg}. */
    public FlatScanState(TransformerPsmConfig cfg) {
        this.chunkSize = cfg.chunkSize();
        this.vocab = cfg.vocabSize();
        this.width = cfg.stateWidth();
        this.levels = cfg.maxChunksLog2();
        this.header = TransformerPsmConfig.STATE_HEADER_FLOATS + chunkSize;
    }

    /** Floats of the encoding. */
    public int floats() {
        return header + 2 * levels * width;
    }

    /** The most full chunks a stream can hold: {@code 2^K - 1}. */
    public long maxChunks() {
        return (1L << levels) - 1;
    }

    /**
     * Decodes {@code data} (copies the live roots and folds) and checks it against the position the
     * caller has kept.
     *
     * @throws IllegalStateException when the floats are not a valid encoding or disagree with
     *                               {@code position}
     */
    public ScanState<Integer, float[]> read(float[] data, long position) {
        if (data.length != floats()) {
            throw new IllegalStateException("Transformer-PSM stream state has " + data.length + " floats, expected "
                    + floats());
        }
        long n = count(data[0], maxChunks(), "chunk count");
        int p = (int) count(data[1], chunkSize - 1, "pending count");
        if (n * chunkSize + p != position) {
            throw new IllegalStateException("Transformer-PSM stream state holds " + n + " chunks of " + chunkSize
                    + " and " + p + " pending tokens, but its position is " + position);
        }
        List<Integer> pending = new ArrayList<>(p);
        for (int i = 0; i < p; i++) {
            pending.add((int) count(data[2 + i], vocab - 1, "pending token " + i));
        }
        List<float[]> roots = new ArrayList<>();
        List<float[]> folds = new ArrayList<>();
        for (int level : ScanTree.rootLevels(n)) {
            roots.add(Arrays.copyOfRange(data, rootOffset(level), rootOffset(level) + width));
            folds.add(Arrays.copyOfRange(data, foldOffset(level), foldOffset(level) + width));
        }
        return ScanState.of(chunkSize, n, roots, folds, pending);
    }

    /** Encodes {@code state} into {@code data}, overwriting all of it. */
    public void write(ScanState<Integer, float[]> state, float[] data) {
        if (data.length != floats()) {
            throw new IllegalArgumentException("expected " + floats() + " floats, got " + data.length);
        }
        long n = state.chunks();
        if (n > maxChunks()) {
            throw new IllegalStateException("a stream of " + n + " chunks does not fit a state of " + levels
                    + " levels (at most " + maxChunks() + " chunks)");
        }
        Arrays.fill(data, 0f);
        data[0] = n;
        List<Integer> pending = state.pending();
        data[1] = pending.size();
        for (int i = 0; i < pending.size(); i++) {
            data[2 + i] = pending.get(i);
        }
        int[] rootLevels = state.rootLevels();
        for (int m = 0; m < rootLevels.length; m++) {
            System.arraycopy(state.roots().get(m), 0, data, rootOffset(rootLevels[m]), width);
            System.arraycopy(state.folds().get(m), 0, data, foldOffset(rootLevels[m]), width);
        }
    }

    private int rootOffset(int level) {
        return header + level * width;
    }

    private int foldOffset(int level) {
        return header + (levels + level) * width;
    }

    private static long count(float value, long max, String what) {
        if (!(value >= 0 && value <= max) || value != Math.rint(value)) {
            throw new IllegalStateException("Transformer-PSM stream state: " + what + " " + value
                    + " is not an integer in [0, " + max + "]");
        }
        return (long) value;
    }
}
