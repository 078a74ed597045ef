package io.scanflow.model.psm.transformer;

import io.scanflow.model.config.TransformerPsmConfig;
import io.scanflow.model.math.Ops;
import io.scanflow.model.psm.transformer.TransformerPsmWeights.Block;
import io.scanflow.model.psm.transformer.TransformerPsmWeights.Stage;

/**
 * The reference transformer pass: RMSNorm, multi-head softmax attention and a GELU MLP, written as
 * plain loops over rows, in one fixed operation order. Every row is computed by the same code
 * whatever the number of rows; with {@code causal} a row reads only rows at or before it, so the
 * first {@code m} rows of a pass over {@code m' > m} rows are bit-identical to a pass over {@code m}
 * rows. That is what lets {@code Inf} run on a partial chunk.
 *
 * <p>Mirrors {@code scripts/training/transformer_psm.py} ({@code Block}, {@code Attention}, {@code Mlp},
 * {@code RMSNorm}); differences are in rounding only: PyTorch normalises the softmax weights before
 * the weighted sum, this code after it; Ops.rmsNorm sums squares in double.
 */
final class TransformerBlocks {

    /** {@code sqrt(2 / pi)}, the GELU tanh approximation's constant. */
    private static final double GELU_C = Math.sqrt(2.0 / Math.PI);

    private TransformerBlocks() {
    }

    /**
     * Buffers for one pass over up to {@code maxRows} rows. One per call (the PSM functions may run
     * on several threads at once), so nothing is shared.
     */
    static final class Scratch {
        final float[] x;      // [rows, d] the residual stream; the caller fills the input rows
        final float[] h;      // [rows, d] normalised rows
        final float[] q;      // [rows, d] queries, head j in columns [j hd, (j+1) hd)
        final float[] k;      // [rows, d]
        final float[] v;      // [rows, d]
        final float[] att;    // [rows, d] attention output before o_proj
        final float[] proj;   // [rows, d] a sub-layer's output before the residual add
        final float[] up;     // [rows, f] MLP hidden
        final float[] scores; // [rows] one query's scores, then its softmax weights

        Scratch(TransformerPsmConfig cfg, int maxRows) {
            int d = cfg.hiddenSize();
            x = new float[maxRows * d];
            h = new float[maxRows * d];
            q = new float[maxRows * d];
            k = new float[maxRows * d];
            v = new float[maxRows * d];
            att = new float[maxRows * d];
            proj = new float[maxRows * d];
            up = new float[maxRows * cfg.intermediateSize()];
            scores = new float[maxRows];
        }
    }

    /** Applies the stage's blocks in place to rows {@code [0, rows)} of {@code s.x}. */
    static void blocks(TransformerPsmConfig cfg, Stage stage, int rows, boolean causal, Scratch s) {
        for (Block b : stage.layers()) {
            block(cfg, b, rows, causal, s);
        }
    }

    /** RMSNorm with the stage's final weight of {@code rows} rows of {@code s.x} from {@code fromRow}. */
    static void finalNorm(TransformerPsmConfig cfg, Stage stage, Scratch s, int fromRow, int rows, float[] out,
                          int outOffset) {
        int d = cfg.hiddenSize();
        Ops.rmsNorm(s.x, fromRow * d, stage.norm(), cfg.normEpsilon(), out, outOffset, rows, d);
    }

    /** One pre-norm block over rows {@code [0, rows)} of {@code s.x}, in place. */
    static void block(TransformerPsmConfig cfg, Block b, int rows, boolean causal, Scratch s) {
        int d = cfg.hiddenSize();
        int f = cfg.intermediateSize();
        float eps = cfg.normEpsilon();
        // x = x + o_proj(attention(RMSNorm(x)))
        Ops.rmsNorm(s.x, 0, b.attnNorm(), eps, s.h, 0, rows, d);
        Ops.linear(s.h, 0, d, rows, d, b.wq(), null, d, s.q, 0, d);
        Ops.linear(s.h, 0, d, rows, d, b.wk(), null, d, s.k, 0, d);
        Ops.linear(s.h, 0, d, rows, d, b.wv(), null, d, s.v, 0, d);
        attention(cfg, rows, causal, s);
        Ops.linear(s.att, 0, d, rows, d, b.wo(), null, d, s.proj, 0, d);
        for (int i = 0; i < rows * d; i++) {
            s.x[i] += s.proj[i];
        }
        // x = x + down_proj(gelu_tanh(up_proj(RMSNorm(x))))
        Ops.rmsNorm(s.x, 0, b.mlpNorm(), eps, s.h, 0, rows, d);
        Ops.linear(s.h, 0, d, rows, d, b.up(), null, f, s.up, 0, f);
        for (int i = 0; i < rows * f; i++) {
            s.up[i] = gelu(s.up[i]);
        }
        Ops.linear(s.up, 0, f, rows, f, b.down(), null, d, s.proj, 0, d);
        for (int i = 0; i < rows * d; i++) {
            s.x[i] += s.proj[i];
        }
    }

    /**
     * Multi-head softmax attention, {@code att[i] = sum_j softmax_j(q_i . k_j / sqrt(hd)) v_j} per
     * head, over keys {@code j <= i} when causal, else all rows. Max-subtracted, float sums in key
     * order, {@code StrictMath.exp} so the bits do not depend on the JIT.
     */
    static void attention(TransformerPsmConfig cfg, int rows, boolean causal, Scratch s) {
        int d = cfg.hiddenSize();
        int hd = cfg.headDim();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] sc = s.scores;
        for (int i = 0; i < rows; i++) {
            int keys = causal ? i + 1 : rows;
            for (int head = 0; head < cfg.numHeads(); head++) {
                int col = head * hd;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < keys; j++) {
                    sc[j] = Ops.dot(s.q, i * d + col, s.k, j * d + col, hd) * scale;
                    max = Math.max(max, sc[j]);
                }
                float sum = 0f;
                for (int j = 0; j < keys; j++) {
                    sc[j] = (float) StrictMath.exp(sc[j] - max);
                    sum += sc[j];
                }
                for (int e = 0; e < hd; e++) {
                    float acc = 0f;
                    for (int j = 0; j < keys; j++) {
                        acc += sc[j] * s.v[j * d + col + e];
                    }
                    s.att[i * d + col + e] = acc / sum;
                }
            }
        }
    }

    /** PyTorch's {@code gelu(x, approximate="tanh")}: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    static float gelu(float x) {
        double t = StrictMath.tanh(GELU_C * (x + 0.044715 * (double) x * x * x));
        return (float) (0.5 * x * (1.0 + t));
    }
}
