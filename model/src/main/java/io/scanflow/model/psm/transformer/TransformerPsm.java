package io.scanflow.model.psm.transformer;

import io.scanflow.model.config.TransformerPsmConfig;
import io.scanflow.model.math.Ops;
import io.scanflow.model.psm.PrefixScannableModel;
import io.scanflow.model.psm.ScanValueCodec;
import io.scanflow.model.psm.transformer.TransformerBlocks.Scratch;
import io.scanflow.model.psm.transformer.TransformerPsmWeights.Stage;
import io.scanflow.model.weights.Checkpoint;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The Transformer-PSM as a {@link PrefixScannableModel}: token elements, a state of {@code c}
 * vectors of width {@code d} (a {@code float[c * d]}, row-major), and per-position final hidden
 * rows as outputs ({@link #logits} applies the LM head, as {@code SequenceModel} does).
 *
 * <pre>
 *   Enc(t_0..t_{c-1})  = EncNorm(EncBlocks(Emb[t_r] + enc.pos[r]))                    [c, d]
 *   Agg(l, r)          = AggNorm(AggBlocks([l; r] + agg.pos)[c .. 2c))                [c, d]
 *   Inf(s, t_0..t_{m-1}) = InfNorm(InfBlocks_causal([s; Emb[t]] + inf.pos[0 .. c+m))[c .. c+m))  [m, d]
 *   e                  = the learned identity                                         [c, d]
 * </pre>
 * Enc and Agg attend both ways; Inf is causal over its {@code c + m} rows, so it takes partial
 * chunks ({@code 1 <= m <= c}) and a partial chunk's rows are bit-identical to the first {@code m}
 * rows of the full chunk. Agg keeps the rows of the right (newer) span: it is neither associative
 * nor commutative, and {@code e} is not neutral.
 *
 * <p>Determinism: every function is a fixed sequence of float operations
 * ({@link TransformerBlocks}); states and weights are never written after they are made; scratch is
 * allocated per call, so calls may run on several threads at once.
 */
public final class TransformerPsm implements PrefixScannableModel<Integer, float[], float[][]> {

    private final TransformerPsmConfig cfg;
    private final TransformerPsmWeights w;
    private final long fingerprint;

    /** The model over {@code weights}, shaped by {@code cfg}. */
    public TransformerPsm(TransformerPsmConfig cfg, TransformerPsmWeights weights) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.w = Objects.requireNonNull(weights, "weights");
        this.fingerprint = weights.fingerprint(cfg);
    }

    /** Loads a model folder: config.json ({@code "model_type": "transformer_psm"}) and safetensors. */
    public static TransformerPsm load(Path directory) {
        TransformerPsmConfig cfg = TransformerPsmConfig.load(directory);
        try (Checkpoint checkpoint = Checkpoint.open(directory)) {
            return new TransformerPsm(cfg, TransformerPsmWeights.read(cfg, checkpoint));
        }
    }

    /** The configuration. */
    public TransformerPsmConfig config() {
        return cfg;
    }

    /** The weights. */
    public TransformerPsmWeights weights() {
        return w;
    }

    /** Identifies configuration and weights (see {@link TransformerPsmWeights#fingerprint}). */
    public long fingerprint() {
        return fingerprint;
    }

    @Override
    public int chunkSize() {
        return cfg.chunkSize();
    }

    /** The learned {@code e}, {@code [c, d]}: the model's own array, not to be modified. */
    @Override
    public float[] identity() {
        return w.identity();
    }

    /** {@code Enc}: exactly {@code c} tokens to a state {@code [c, d]}. */
    @Override
    public float[] encode(List<Integer> chunk) {
        int c = cfg.chunkSize();
        int d = cfg.hiddenSize();
        if (chunk.size() != c) {
            throw new IllegalArgumentException("Enc takes a full chunk of " + c + " tokens, got " + chunk.size());
        }
        Stage stage = w.enc();
        Scratch s = new Scratch(cfg, c);
        for (int r = 0; r < c; r++) {
            embedRow(chunk.get(r), r, stage.pos(), r, s.x);
        }
        TransformerBlocks.blocks(cfg, stage, c, false, s);
        float[] out = new float[c * d];
        TransformerBlocks.finalNorm(cfg, stage, s, 0, c, out, 0);
        return out;
    }

    /** {@code Agg}: the rows of the newer span after the block stack over {@code [left; right]}. */
    @Override
    public float[] aggregate(float[] left, float[] right) {
        int c = cfg.chunkSize();
        int d = cfg.hiddenSize();
        checkState(left, "left");
        checkState(right, "right");
        Stage stage = w.agg();
        Scratch s = new Scratch(cfg, 2 * c);
        float[] pos = stage.pos();
        for (int i = 0; i < c * d; i++) {
            s.x[i] = left[i] + pos[i];
            s.x[c * d + i] = right[i] + pos[c * d + i];
        }
        TransformerBlocks.blocks(cfg, stage, 2 * c, false, s);
        float[] out = new float[c * d];
        TransformerBlocks.finalNorm(cfg, stage, s, c, c, out, 0);
        return out;
    }

    /**
     * {@code Inf}: final hidden rows {@code [m, d]} for the {@code m} tokens of a chunk
     * ({@code 1 <= m <= c}), from the causal stack over {@code [prefix; chunk]}.
     */
    @Override
    public float[][] infer(float[] prefix, List<Integer> chunk) {
        int c = cfg.chunkSize();
        int d = cfg.hiddenSize();
        int m = chunk.size();
        if (m < 1 || m > c) {
            throw new IllegalArgumentException("Inf takes 1.." + c + " tokens, got " + m);
        }
        checkState(prefix, "prefix");
        Stage stage = w.inf();
        Scratch s = new Scratch(cfg, c + m);
        float[] pos = stage.pos();
        for (int i = 0; i < c * d; i++) {
            s.x[i] = prefix[i] + pos[i];
        }
        for (int j = 0; j < m; j++) {
            embedRow(chunk.get(j), c + j, pos, c + j, s.x);
        }
        TransformerBlocks.blocks(cfg, stage, c + m, true, s);
        float[][] out = new float[m][d];
        for (int j = 0; j < m; j++) {
            TransformerBlocks.finalNorm(cfg, stage, s, c + j, 1, out[j], 0);
        }
        return out;
    }

    @Override
    public boolean acceptsPartialChunk() {
        return true;
    }

    /** The LM head on one hidden row: logits {@code [V]} (the same operations as the SequenceModel path). */
    public float[] logits(float[] hidden) {
        int d = cfg.hiddenSize();
        int v = cfg.vocabSize();
        float[] out = new float[v];
        Ops.linear(hidden, 0, d, 1, d, w.lmHead(), null, v, out, 0, v);
        return out;
    }

    /** The LM head on rows {@code [m, d]}: {@code [m, V]}. */
    public float[][] logits(float[][] hidden) {
        float[][] out = new float[hidden.length][];
        for (int j = 0; j < hidden.length; j++) {
            out[j] = logits(hidden[j]);
        }
        return out;
    }

    /** Pending tokens in a {@code ScanStateSerializer}: one int each. */
    public static ScanValueCodec<Integer> tokenCodec() {
        return TokenCodec.INSTANCE;
    }

    /** x[row] = Emb[token] + pos[posRow]. */
    private void embedRow(Integer token, int row, float[] pos, int posRow, float[] x) {
        int t = Objects.requireNonNull(token, "token");
        if (t < 0 || t >= cfg.vocabSize()) {
            throw new IllegalArgumentException("token " + t + " outside the vocabulary [0, " + cfg.vocabSize() + ")");
        }
        int d = cfg.hiddenSize();
        float[] emb = w.embedding();
        for (int k = 0; k < d; k++) {
            x[row * d + k] = emb[t * d + k] + pos[posRow * d + k];
        }
    }

    private void checkState(float[] state, String what) {
        if (state.length != cfg.stateWidth()) {
            throw new IllegalArgumentException(what + " state has " + state.length + " floats, expected c * d = "
                    + cfg.stateWidth());
        }
    }

    private static final class TokenCodec implements ScanValueCodec<Integer> {
        static final TokenCodec INSTANCE = new TokenCodec();

        @Override
        public void write(Integer value, DataOutput out) throws IOException {
            out.writeInt(value);
        }

        @Override
        public Integer read(DataInput in) throws IOException {
            return in.readInt();
        }
    }
}
