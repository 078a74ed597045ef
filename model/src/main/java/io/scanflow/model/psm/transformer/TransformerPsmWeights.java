package io.scanflow.model.psm.transformer;

import io.scanflow.model.config.TransformerPsmConfig;
import io.scanflow.model.weights.Checkpoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every tensor of a Transformer-PSM, as float32 arrays in row-major order (a matrix {@code [out, in]}
 * as PyTorch's {@code Linear} stores it). Immutable by convention: nothing writes these arrays
 * after loading. Tensor names in the safetensors file, with {@code S} one of {@code enc},
 * {@code agg}, {@code inf} and {@code R} its rows ({@code c} for enc, {@code 2c} for agg and inf):
 * <pre>
 *   embedding.weight                     [V, d]
 *   identity                             [c, d]      the state e of the empty prefix
 *   S.pos                                [R, d]      learned positions, added to the input rows
 *   S.layers.i.attn_norm.weight          [d]
 *   S.layers.i.attn.{q,k,v,o}_proj.weight [d, d]
 *   S.layers.i.mlp_norm.weight           [d]
 *   S.layers.i.mlp.up_proj.weight        [f, d]
 *   S.layers.i.mlp.down_proj.weight      [d, f]
 *   S.norm.weight                        [d]         final RMSNorm of the stage
 *   lm_head.weight                       [V, d]      absent when tie_word_embeddings
 * </pre>
 *
 * @param embedding [V, d]
 * @param identity  [c, d]
 * @param enc       Enc's stage
 * @param agg       Agg's stage
 * @param inf       Inf's stage
 * @param lmHead    [V, d]; the embedding array itself when tied
 */
public record TransformerPsmWeights(float[] embedding, float[] identity, Stage enc, Stage agg, Stage inf,
                                    float[] lmHead) {

    /**
     * One pre-norm block: {@code x += o(attn(q, k, v of RMSNorm(x)))}, then
     * {@code x += down(gelu_tanh(up(RMSNorm(x))))}. No biases.
     */
    public record Block(float[] attnNorm, float[] wq, float[] wk, float[] wv, float[] wo, float[] mlpNorm,
                        float[] up, float[] down) {
    }

    /**
     * A stage: positions added to its input rows, blocks, a final RMSNorm.
     *
     * @param pos    [rows, d]
     * @param layers blocks, applied in order
     * @param norm   [d]
     */
    public record Stage(float[] pos, Block[] layers, float[] norm) {
    }

    /** Stage names in the file, in the order the fingerprint visits them. */
    static final String[] STAGES = {"enc", "agg", "inf"};

    /** Reads every tensor the config implies with its expected shape; leftovers are an error. */
    public static TransformerPsmWeights read(TransformerPsmConfig cfg, Checkpoint checkpoint) {
        Set<String> consumed = new HashSet<>();
        Reader r = (name, shape) -> {
            consumed.add(name);
            return checkpoint.floats(name, shape);
        };
        int v = cfg.vocabSize(), d = cfg.hiddenSize(), c = cfg.chunkSize();
        float[] embedding = r.read("embedding.weight", v, d);
        float[] identity = r.read("identity", c, d);
        Stage enc = readStage(r, cfg, "enc", c, cfg.encLayers());
        Stage agg = readStage(r, cfg, "agg", 2L * c, cfg.aggLayers());
        Stage inf = readStage(r, cfg, "inf", 2L * c, cfg.infLayers());
        float[] lmHead = cfg.tieEmbeddings() ? embedding : r.read("lm_head.weight", v, d);
        checkpoint.requireNoUnexpected(consumed);
        return new TransformerPsmWeights(embedding, identity, enc, agg, inf, lmHead);
    }

    private interface Reader {
        float[] read(String name, long... shape);
    }

    private static Stage readStage(Reader r, TransformerPsmConfig cfg, String name, long rows, int layers) {
        int d = cfg.hiddenSize(), f = cfg.intermediateSize();
        float[] pos = r.read(name + ".pos", rows, d);
        Block[] blocks = new Block[layers];
        for (int i = 0; i < layers; i++) {
            String p = name + ".layers." + i + ".";
            blocks[i] = new Block(
                    r.read(p + "attn_norm.weight", d),
                    r.read(p + "attn.q_proj.weight", d, d),
                    r.read(p + "attn.k_proj.weight", d, d),
                    r.read(p + "attn.v_proj.weight", d, d),
                    r.read(p + "attn.o_proj.weight", d, d),
                    r.read(p + "mlp_norm.weight", d),
                    r.read(p + "mlp.up_proj.weight", f, d),
                    r.read(p + "mlp.down_proj.weight", d, f));
        }
        return new Stage(pos, blocks, r.read(name + ".norm.weight", d));
    }

    /** The stages in file order: enc, agg, inf. */
    List<Stage> stages() {
        return List.of(enc, agg, inf);
    }

    /**
     * FNV-1a over the config's canonical text and every weight's raw bits in a fixed order: what a
     * saved stream state is tied to.
     */
    public long fingerprint(TransformerPsmConfig cfg) {
        long h = 0xcbf29ce484222325L;
        List<float[]> arrays = new ArrayList<>();
        arrays.add(embedding);
        arrays.add(identity);
        for (Stage s : stages()) {
            arrays.add(s.pos());
            for (Block b : s.layers()) {
                arrays.addAll(List.of(b.attnNorm(), b.wq(), b.wk(), b.wv(), b.wo(), b.mlpNorm(), b.up(), b.down()));
            }
            arrays.add(s.norm());
        }
        arrays.add(lmHead);
        String text = cfg.toString();
        for (int i = 0; i < text.length(); i++) {
            h = (h ^ text.charAt(i)) * 0x100000001b3L;
        }
        for (float[] a : arrays) {
            for (float x : a) {
                h = (h ^ Float.floatToRawIntBits(x)) * 0x100000001b3L;
            }
        }
        return h;
    }
}
