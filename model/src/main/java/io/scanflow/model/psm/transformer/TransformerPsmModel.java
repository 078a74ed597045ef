package io.scanflow.model.psm.transformer;

import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.config.TransformerPsmConfig;
import io.scanflow.model.math.Ops;
import io.scanflow.model.psm.ChunkResult;
import io.scanflow.model.psm.ScanState;
import io.scanflow.model.psm.StreamingScan;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The Transformer-PSM as a {@link SequenceModel}, so an engine (and the Flink operator above it)
 * hosts one PSM stream per key exactly as it hosts a Mamba state.
 *
 * <p>A key's {@link RecurrentState} holds its {@link StreamingScan} state in the fixed-size layout of
 * {@link FlatScanState}: {@code 2 + c + 2 K c d} floats for at most {@code 2^K - 1} chunks
 * ({@code K = max_chunks_log2}). Every call decodes it, pushes the tokens through a
 * {@link StreamingScan} and encodes it again; a call that throws leaves the state as it was.
 *
 * <p>Outputs: the final hidden row of every position, as soon as its token arrives. When a token
 * completes a chunk, the rows come from that chunk's {@code Inf}; before that, from {@code Inf} on
 * the partial chunk ({@link StreamingScan#flush()}), which gives the same bits (Inf is causal,
 * row by row). So prefill and step agree bit for bit with each other, with any split of the stream
 * into calls, and with the parallel evaluator ({@code ParallelScan}) over the whole sequence.
 *
 * <p>Cost per token: one {@code Inf} over at most {@code 2c} rows (the partial chunk is recomputed
 * at every token), plus, once per chunk, one {@code Enc} and fewer than two {@code Agg} calls
 * amortised. The cost does not grow with the stream's length; memory is {@code O(log n)} states,
 * held at a fixed capacity.
 *
 * <p>Feature input is not supported (token model).
 */
public final class TransformerPsmModel implements SequenceModel {

    private final TransformerPsm psm;
    private final TransformerPsmConfig cfg;
    private final FlatScanState layout;

    /** Streams {@code psm} as a {@link io.scanflow.model.SequenceModel}. */
    public TransformerPsmModel(TransformerPsm psm) {
        this.psm = Objects.requireNonNull(psm, "psm");
        this.cfg = psm.config();
        this.layout = new FlatScanState(cfg);
    }

    /** Loads a model folder (see {@link TransformerPsm#load}). */
    public static TransformerPsmModel load(Path directory) {
        return new TransformerPsmModel(TransformerPsm.load(directory));
    }

    /** The PSM this model runs (for the parallel evaluator or direct use). */
    public TransformerPsm psm() {
        return psm;
    }

    @Override
    public TransformerPsmConfig config() {
        return cfg;
    }

    @Override
    public long fingerprint() {
        return psm.fingerprint();
    }

    @Override
    public RecurrentState newState() {
        return new RecurrentState(layout.floats());
    }

    /** Workspace rows bound the engine's prefill chunk; the PSM keeps its own per-call scratch. */
    @Override
    public Workspace newWorkspace(int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be positive, got " + maxRows);
        }
        return new PsmWorkspace(maxRows);
    }

    private record PsmWorkspace(int maxRows) implements Workspace {
    }

    /** The stream state a key's {@link RecurrentState} holds (decoded; a copy). */
    public ScanState<Integer, float[]> scanState(RecurrentState state) {
        return layout.read(state.data(), state.position());
    }

    /**
     * Replaces a key's state with {@code scanState}, e.g. the result of a parallel prefill
     * ({@code ParallelScan.Result.toStreamState()}); the position becomes the scan state's.
     */
    public void setScanState(RecurrentState state, ScanState<Integer, float[]> scanState) {
        if (scanState.chunkSize() != cfg.chunkSize()) {
            throw new IllegalArgumentException("scan state has chunk size " + scanState.chunkSize()
                    + ", the model " + cfg.chunkSize());
        }
        layout.write(scanState, state.data());
        state.setPosition(scanState.position());
    }

    @Override
    public void prefill(RecurrentState state, int[] tokens, int offset, int length,
                        float[] hiddenOut, int hiddenOffset, Workspace workspace) {
        Objects.requireNonNull(workspace, "workspace");
        ScanState<Integer, float[]> scanState = layout.read(state.data(), state.position());
        StreamingScan<Integer, float[], float[][]> scan = new StreamingScan<>(psm, scanState);
        int c = cfg.chunkSize();
        int d = cfg.hiddenSize();
        // Rows of the chunk in progress that an earlier call has already given out.
        int emitted = scanState.pending().size();
        int row = 0;
        for (int i = 0; i < length; i++) {
            int token = tokens[offset + i];
            if (token < 0 || token >= cfg.vocabSize()) {
                throw new IllegalArgumentException("token " + token + " at input " + (offset + i)
                        + " outside the vocabulary [0, " + cfg.vocabSize() + ")");
            }
            if (scanState.pending().size() == c - 1 && scan.chunks() == layout.maxChunks()) {
                throw new IllegalStateException("the stream is full: " + scan.chunks() + " chunks is the most a state of "
                        + cfg.maxChunksLog2() + " levels holds (max_chunks_log2)");
            }
            Optional<ChunkResult<float[], float[][]>> done = scan.push(token);
            if (done.isPresent()) {
                float[][] rows = done.get().output();
                for (int j = emitted; j < c; j++) {
                    copyRow(rows[j], hiddenOut, hiddenOffset, row++, d);
                }
                emitted = 0;
            }
        }
        if (hiddenOut != null && row < length) {
            float[][] rows = scan.flush().orElseThrow();
            for (int j = emitted; j < rows.length; j++) {
                copyRow(rows[j], hiddenOut, hiddenOffset, row++, d);
            }
        }
        layout.write(scan.state(), state.data());
        state.advance(length);
    }

    private static void copyRow(float[] source, float[] hiddenOut, int hiddenOffset, int row, int d) {
        if (hiddenOut != null) {
            System.arraycopy(source, 0, hiddenOut, hiddenOffset + row * d, d);
        }
    }

    /** One token per state; each state advances on its own (a PSM step is not batched across keys). */
    @Override
    public void step(RecurrentState[] states, int[] tokens, int offset, int count,
                     float[] hiddenOut, int hiddenOffset, Workspace workspace) {
        int d = cfg.hiddenSize();
        for (int i = 0; i < count; i++) {
            prefill(states[offset + i], tokens, offset + i, 1, hiddenOut, hiddenOffset + i * d, workspace);
        }
    }

    @Override
    public void prefillFeatures(RecurrentState state, float[] features, int offset, int length,
                                float[] hiddenOut, int hiddenOffset, Workspace workspace) {
        throw new UnsupportedOperationException("the Transformer-PSM takes tokens, not feature vectors");
    }

    @Override
    public void stepFeatures(RecurrentState[] states, float[] features, int offset, int count,
                             float[] hiddenOut, int hiddenOffset, Workspace workspace) {
        throw new UnsupportedOperationException("the Transformer-PSM takes tokens, not feature vectors");
    }

    @Override
    public void logits(float[] hidden, int hiddenOffset, int rows, float[] logitsOut, int logitsOffset) {
        int d = cfg.hiddenSize();
        int v = cfg.vocabSize();
        Ops.linear(hidden, hiddenOffset, d, rows, d, psm.weights().lmHead(), null, v, logitsOut, logitsOffset, v);
    }
}
